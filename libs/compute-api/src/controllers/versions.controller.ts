import { Controller, Get, HttpCode, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { MAX_API_VERSION, MIN_API_VERSION } from '../http/api-version';
import { baseUrl } from '../http/links';
import { Public } from '../http/route-meta';

/** `GET /` (300, the versions list) and `GET /v2.1` (the version document). */
@Controller()
@Public()
export class VersionsController {
  constructor(@Inject(NOVA_CONFIG) private readonly config: NovaConfig) {}

  private version(req: FastifyRequest) {
    return {
      id: 'v2.1',
      status: 'CURRENT',
      version: MAX_API_VERSION.toString(),
      min_version: MIN_API_VERSION.toString(),
      updated: '2013-07-23T11:33:21Z',
      links: [{ rel: 'self', href: `${baseUrl(req, this.config.api.compute_link_prefix)}/v2.1/` }],
    };
  }

  @Get('/')
  @HttpCode(300)
  root(@Req() req: FastifyRequest) {
    return { versions: [this.version(req)] };
  }

  @Get('/v2.1')
  show(@Req() req: FastifyRequest) {
    const version = this.version(req);
    return {
      version: {
        ...version,
        links: [
          ...version.links,
          { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
        ],
        'media-types': [
          { base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' },
        ],
      },
    };
  }
}
