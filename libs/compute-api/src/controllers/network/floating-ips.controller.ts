import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { Invalid, type RequestContext } from '@nova/common';
import { NETWORK_API, type NetworkApi } from '@nova/network';
import { apiPaths } from '../../http/api-paths';
import { Authorize, Ctx, Versions } from '../../http/route-meta';

/**
 * /os-floating-ips up to 2.35 (404 from 2.36): the project's floating IPs
 * (Neutron's, in nova-network's shape), allocated from a pool (an external
 * network, `[neutron] default_floating_pool` when none is named) and released.
 * On the flat network there are none.
 */
@Controller(apiPaths('os-floating-ips'))
@Versions('2.1', '2.35')
export class FloatingIpsController {
  constructor(@Inject(NETWORK_API) private readonly network: NetworkApi) {}

  @Get()
  @Authorize('os_compute_api:os-floating-ips:list')
  async index(@Ctx() ctx: RequestContext) {
    return { floating_ips: await this.network.listFloatingIps(ctx) };
  }

  @Get(':id')
  @Authorize('os_compute_api:os-floating-ips:show')
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return { floating_ip: await this.network.getFloatingIp(ctx, id) };
  }

  @Post()
  @HttpCode(200)
  @Authorize('os_compute_api:os-floating-ips:create')
  async create(@Ctx() ctx: RequestContext, @Body() body: unknown) {
    // Nova has no schema here: a body (or none) with an optional pool.
    const pool = body && typeof body === 'object' ? (body as { pool?: unknown }).pool : undefined;
    if (pool !== undefined && pool !== null && typeof pool !== 'string') {
      throw new Invalid('Invalid pool name');
    }
    return { floating_ip: await this.network.allocateFloatingIp(ctx, pool ?? undefined) };
  }

  @Delete(':id')
  @HttpCode(202)
  @Authorize('os_compute_api:os-floating-ips:delete')
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.network.releaseFloatingIp(ctx, id);
  }
}

/** /os-floating-ip-pools up to 2.35: the external networks floating IPs come from. */
@Controller(apiPaths('os-floating-ip-pools'))
@Versions('2.1', '2.35')
export class FloatingIpPoolsController {
  constructor(@Inject(NETWORK_API) private readonly network: NetworkApi) {}

  @Get()
  @Authorize('os_compute_api:os-floating-ip-pools')
  async index(@Ctx() ctx: RequestContext) {
    return { floating_ip_pools: await this.network.floatingIpPools(ctx) };
  }
}
