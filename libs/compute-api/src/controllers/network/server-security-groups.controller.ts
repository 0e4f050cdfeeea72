import { Controller, Get, Inject, Param } from '@nestjs/common';
import type { RequestContext } from '@nova/common';
import { NETWORK_API, type NetworkApi } from '@nova/network';
import { PolicyEnforcer } from '@nova/policy';
import { SERVERS, type ServersPort } from '@nova/servers';
import { apiPaths } from '../../http/api-paths';
import { Ctx } from '../../http/route-meta';
import { findServer } from '../servers/server-lookup';

/**
 * GET /servers/{id}/os-security-groups (every microversion): the groups the
 * server keeps (by name, in instance_extra), as Neutron has them in the
 * server's project; on the flat network each name is a group without rules.
 */
@Controller(apiPaths('servers/:server_id/os-security-groups'))
export class ServerSecurityGroupsController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    @Inject(NETWORK_API) private readonly network: NetworkApi,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Get()
  async index(@Ctx() ctx: RequestContext, @Param('server_id') id: string) {
    const server = await findServer(this.servers, ctx, id);
    this.policy.authorize(ctx, 'os_compute_api:os-security-groups:list', {
      project_id: server.project_id,
    });
    return {
      security_groups: await this.network.serverSecurityGroups(
        ctx,
        server.project_id,
        server.security_groups,
      ),
    };
  }
}
