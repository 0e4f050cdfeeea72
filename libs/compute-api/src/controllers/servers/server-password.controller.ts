import { Controller, Delete, Get, HttpCode, Inject, Param } from '@nestjs/common';
import type { RequestContext } from '@nova/common';
import { PolicyEnforcer } from '@nova/policy';
import { SERVERS, type ServersPort } from '@nova/servers';
import { apiPaths } from '../../http/api-paths';
import { Ctx } from '../../http/route-meta';
import { findServer } from './server-lookup';

const RULE = 'os_compute_api:os-server-password';

/**
 * /servers/{id}/os-server-password: the password the guest posted, encrypted
 * with the server's key ('' when none), and DELETE to forget it (204).
 */
@Controller(apiPaths('servers/:server_id/os-server-password'))
export class ServerPasswordController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Get()
  async show(@Ctx() ctx: RequestContext, @Param('server_id') id: string) {
    const server = await findServer(this.servers, ctx, id);
    this.policy.authorize(ctx, `${RULE}:show`, { project_id: server.project_id });
    return { password: await this.servers.password(ctx, server) };
  }

  @Delete()
  @HttpCode(204)
  async clear(@Ctx() ctx: RequestContext, @Param('server_id') id: string): Promise<void> {
    const server = await findServer(this.servers, ctx, id);
    this.policy.authorize(ctx, `${RULE}:clear`, { project_id: server.project_id });
    await this.servers.clearPassword(ctx, server);
  }
}
