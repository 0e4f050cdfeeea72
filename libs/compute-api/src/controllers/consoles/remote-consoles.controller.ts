import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import type { RequestContext } from '@nova/common';
import { PolicyEnforcer } from '@nova/policy';
import {
  CONSOLES,
  SERVERS,
  type ConsoleProtocol,
  type ConsolesPort,
  type ServersPort,
} from '@nova/servers';
import {
  RemoteConsoleBodyV26,
  RemoteConsoleBodyV28,
  type RemoteConsoleBody,
} from '../../dto/servers';
import { apiPaths } from '../../http/api-paths';
import { Ctx, Versions } from '../../http/route-meta';
import { VersionedBody } from '../../http/validation';
import { findServer } from '../servers/server-lookup';

/**
 * POST /servers/{id}/remote-consoles (2.6; mks/webmks from 2.8): a console
 * URL with a one-time token the console proxy redeems.
 */
@Controller(apiPaths('servers/:server_id/remote-consoles'))
export class RemoteConsolesController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    @Inject(CONSOLES) private readonly consoles: ConsolesPort,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Post()
  @HttpCode(200)
  @Versions('2.6')
  async create(
    @Ctx() ctx: RequestContext,
    @Param('server_id') id: string,
    @VersionedBody({ '2.6': RemoteConsoleBodyV26, '2.8': RemoteConsoleBodyV28 })
    body: RemoteConsoleBody,
  ) {
    const server = await findServer(this.servers, ctx, id);
    this.policy.authorize(ctx, 'os_compute_api:os-remote-consoles', {
      project_id: server.project_id,
    });
    const { protocol, type } = body.remote_console;
    const { url } = await this.consoles.create(ctx, server, protocol as ConsoleProtocol, type);
    return { remote_console: { protocol, type, url } };
  }
}
