import { Controller, Get, Inject, Param } from '@nestjs/common';
import { NotFound, type RequestContext } from '@nova/common';
import { PolicyEnforcer } from '@nova/policy';
import { SERVERS, type ServerRecord, type ServersPort } from '@nova/servers';
import { apiPaths } from '../../http/api-paths';
import { Ctx } from '../../http/route-meta';
import { findServer } from './server-lookup';

const RULE = 'os_compute_api:ips';

/** /servers/{id}/ips[/{network}]: the server's addresses by network, version and address only. */
@Controller(apiPaths('servers/:server_id/ips'))
export class ServerIpsController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Get()
  async index(@Ctx() ctx: RequestContext, @Param('server_id') id: string) {
    const server = await this.server(ctx, id, 'index');
    return { addresses: addressesOf(server) };
  }

  @Get(':network')
  async show(
    @Ctx() ctx: RequestContext,
    @Param('server_id') id: string,
    @Param('network') network: string,
  ) {
    const server = await this.server(ctx, id, 'show');
    const addresses = addressesOf(server);
    if (!(network in addresses)) {
      throw new NotFound('Instance is not a member of specified network');
    }
    return { [network]: addresses[network] };
  }

  private async server(ctx: RequestContext, id: string, action: 'index' | 'show') {
    const server = await findServer(this.servers, ctx, id);
    this.policy.authorize(ctx, `${RULE}:${action}`, { project_id: server.project_id });
    return server;
  }
}

function addressesOf(
  server: ServerRecord,
): Record<string, Array<{ version: number; addr: string }>> {
  return Object.fromEntries(
    Object.entries(server.addresses).map(([network, list]) => [
      network,
      list.map((a) => ({ version: a.version, addr: a.addr })),
    ]),
  );
}
