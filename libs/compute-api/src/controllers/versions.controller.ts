import { Controller, Get, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { MAX_API_VERSION, MIN_API_VERSION } from '../http/api-version';
import { baseUrl } from '../http/links';
import { Public } from '../http/route-meta';

/**
 * `GET /` (200, the versions list, as Nova's root answers), `GET /v2.1` and
 * `GET /v2` (the version documents: v2.1 with microversions, v2.0 the legacy
 * endpoint, which is v2.1 at 2.1 without them).
 */
@Controller()
@Public()
export class VersionsController {
  constructor(@Inject(NOVA_CONFIG) private readonly config: NovaConfig) {}

  private versions(req: FastifyRequest) {
    const base = baseUrl(req, this.config.api.compute_link_prefix);
    return {
      v20: {
        id: 'v2.0',
        status: 'SUPPORTED',
        version: '',
        min_version: '',
        updated: '2011-01-21T11:33:21Z',
        links: [{ rel: 'self', href: `${base}/v2/` }],
      },
      v21: {
        id: 'v2.1',
        status: 'CURRENT',
        version: MAX_API_VERSION.toString(),
        min_version: MIN_API_VERSION.toString(),
        updated: '2013-07-23T11:33:21Z',
        links: [{ rel: 'self', href: `${base}/v2.1/` }],
      },
    };
  }

  @Get('/')
  root(@Req() req: FastifyRequest) {
    const { v20, v21 } = this.versions(req);
    return { versions: [v20, v21] };
  }

  @Get('/v2.1')
  show(@Req() req: FastifyRequest) {
    return { version: document(this.versions(req).v21, '2.1') };
  }

  @Get('/v2')
  showLegacy(@Req() req: FastifyRequest) {
    return { version: document(this.versions(req).v20, '2') };
  }
}

function document(
  version: { links: Array<{ rel: string; href: string }> } & Record<string, unknown>,
  mediaVersion: string,
) {
  return {
    ...version,
    links: [
      ...version.links,
      { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
    ],
    'media-types': [
      {
        base: 'application/json',
        type: `application/vnd.openstack.compute+json;version=${mediaVersion}`,
      },
    ],
  };
}
