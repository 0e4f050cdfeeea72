import { Controller, Get, Query, Req } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { negotiateVersion } from '../http/api-version';
import { QueryParams, QuerySchema } from '../http/query-schema';
import { Public } from '../http/route-meta';
import { openApiDocument } from '../openapi/openapi-document';

type Controller = abstract new (...args: never[]) => object;

/** Other parameters are ignored, as by every route before 2.75. */
const OPENAPI_QUERY = new QuerySchema(
  [{ name: 'microversion', schema: { type: 'string', description: "X.Y or 'latest'" } }],
  null,
);

/**
 * `GET /v2.1/openapi.json`: the OpenAPI 3.1 document of this API, generated at
 * the request's microversion (the OpenStack-API-Version header, or
 * `?microversion=X.Y` which wins; `latest` works in both) from the routes and
 * validation schemas this process serves. Cached per version.
 */
@Controller('v2.1/openapi.json')
@Public()
export class OpenApiController {
  private readonly cache = new Map<string, object>();

  constructor(private readonly discovery: DiscoveryService) {}

  @Get()
  @QueryParams(OPENAPI_QUERY)
  document(@Req() req: FastifyRequest, @Query('microversion') microversion?: string) {
    let version = req.nova.version;
    if (microversion !== undefined) {
      const negotiated = negotiateVersion({ 'openstack-api-version': `compute ${microversion}` });
      if (!negotiated.version) {
        throw negotiated.error!;
      }
      version = negotiated.version;
    }
    const key = version.toString();
    let doc = this.cache.get(key);
    if (!doc) {
      const controllers = this.discovery
        .getControllers()
        .map((w) => w.metatype as Controller | null)
        .filter((c): c is Controller => typeof c === 'function');
      doc = openApiDocument(controllers, version);
      this.cache.set(key, doc);
    }
    return doc;
  }
}
