import { Controller, Get, Inject, Param } from '@nestjs/common';
import { Invalid, NotFound, NovaError, type RequestContext } from '@nova/common';
import { CONSOLES, type ConsolesPort } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { Authorize, Ctx, ReqVersion } from '../../http/route-meta';

/** Before 2.31 only rdp-html5 tokens could be shown (Nova's 401). */
class ConsoleDetailsNotAccessible extends NovaError {
  readonly code = 401;
}

/**
 * GET /os-console-auth-tokens/{token} (admin): where a console token leads,
 * found in whichever cell holds it (every cell is asked at once). Showing a
 * token does not use it up.
 */
@Controller(apiPaths('os-console-auth-tokens'))
export class ConsoleAuthTokensController {
  constructor(@Inject(CONSOLES) private readonly consoles: ConsolesPort) {}

  @Get(':token')
  @Authorize('os_compute_api:os-console-auth-tokens')
  async show(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('token') token: string,
  ) {
    if (token.trim() === '') {
      throw new Invalid('token not provided');
    }
    const found = await this.consoles.connection(ctx, token);
    if (!found) {
      throw new NotFound('Token not found');
    }
    if (!v.atLeast('2.31') && found.console_type !== 'rdp-html5') {
      throw new ConsoleDetailsNotAccessible(
        'The requested console type details are not accessible',
      );
    }
    return {
      console: {
        instance_uuid: found.instance_uuid,
        host: found.host,
        port: found.port,
        internal_access_path: found.internal_access_path,
      },
    };
  }
}
