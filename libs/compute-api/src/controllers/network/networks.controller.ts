import { Controller, Delete, Get, Inject, Param, Post } from '@nestjs/common';
import type { RequestContext } from '@nova/common';
import { NETWORK_API, osNetworkView, tenantNetworkView, type NetworkApi } from '@nova/network';
import { ActionGone } from '../../dto/servers';
import { apiPaths } from '../../http/api-paths';
import { Authorize, Ctx, Versions } from '../../http/route-meta';

const GONE = 'This resource is no longer available. No forwarding address is given.';

function gone(): never {
  throw new ActionGone(GONE);
}

/**
 * /os-networks up to 2.35 (404 from 2.36): the networks the caller sees, in
 * nova-network's shape (admins see its system fields too). Its writes and
 * association actions were nova-network's: 410, as in Nova.
 */
@Controller(apiPaths('os-networks'))
@Versions('2.1', '2.35')
export class NetworksController {
  constructor(@Inject(NETWORK_API) private readonly network: NetworkApi) {}

  @Get()
  @Authorize('os_compute_api:os-networks:list')
  async index(@Ctx() ctx: RequestContext) {
    const nets = await this.network.listNetworks(ctx);
    return { networks: nets.map((n) => osNetworkView(n, ctx.isAdmin)) };
  }

  @Get(':id')
  @Authorize('os_compute_api:os-networks:view')
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return { network: osNetworkView(await this.network.getNetwork(ctx, id), ctx.isAdmin) };
  }

  @Post()
  create(): never {
    return gone();
  }

  @Post('add')
  add(): never {
    return gone();
  }

  @Delete(':id')
  remove(): never {
    return gone();
  }

  @Post(':id/action')
  action(): never {
    return gone();
  }
}

/**
 * /os-tenant-networks up to 2.35: the caller's project's networks as
 * id, label and cidr; create and delete are 410.
 */
@Controller(apiPaths('os-tenant-networks'))
@Versions('2.1', '2.35')
export class TenantNetworksController {
  constructor(@Inject(NETWORK_API) private readonly network: NetworkApi) {}

  @Get()
  @Authorize('os_compute_api:os-tenant-networks:list')
  async index(@Ctx() ctx: RequestContext) {
    const nets = await this.network.listProjectNetworks(ctx);
    return { networks: nets.map(tenantNetworkView) };
  }

  @Get(':id')
  @Authorize('os_compute_api:os-tenant-networks:show')
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return { network: tenantNetworkView(await this.network.getNetwork(ctx, id)) };
  }

  @Post()
  create(): never {
    return gone();
  }

  @Delete(':id')
  remove(): never {
    return gone();
  }
}
