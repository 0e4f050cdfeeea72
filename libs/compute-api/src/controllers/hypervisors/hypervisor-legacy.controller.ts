import { Controller, Get, Param, Inject } from '@nestjs/common';
import type { RequestContext } from '@nova/common';
import {
  ComputeServiceUnavailable,
  HOST_INVENTORY,
  type HostInventoryPort,
  NoHypervisorMatches,
} from '@nova/host-inventory';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { Authorize, Ctx, ReqVersion, Versions } from '../../http/route-meta';
import {
  hypervisorStatistics,
  hypervisorSummary,
  hypervisorUptime,
} from '../../views/hypervisor.view';
import { hypervisorRef } from './hypervisor-query';

/**
 * The routes 2.53 folded into query parameters (search, servers) and those 2.88
 * dropped (statistics, uptime).
 */
@Controller(apiPaths('os-hypervisors'))
export class HypervisorLegacyController {
  constructor(@Inject(HOST_INVENTORY) private readonly inventory: HostInventoryPort) {}

  @Get('statistics')
  @Versions(undefined, '2.87')
  @Authorize('os_compute_api:os-hypervisors:statistics')
  async statistics(@Ctx() ctx: RequestContext) {
    return hypervisorStatistics((await this.inventory.nodeTotals(ctx)).totals);
  }

  /**
   * What the node's compute host says (an RPC call to it): 400 when its service is
   * down or it does not answer, 501 when its driver cannot tell.
   */
  @Get(':id/uptime')
  @Versions(undefined, '2.87')
  @Authorize('os_compute_api:os-hypervisors:uptime')
  async uptime(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Param('id') id: string) {
    const row = await this.inventory.findNode(ctx, hypervisorRef(id, v), { withServers: false });
    if (!row.up) {
      throw new ComputeServiceUnavailable(row.node.host);
    }
    return { hypervisor: hypervisorUptime(row, v, await this.inventory.hostUptime(ctx, row)) };
  }

  @Get(':id/search')
  @Versions(undefined, '2.52')
  @Authorize('os_compute_api:os-hypervisors:search')
  async search(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('id') pattern: string,
  ) {
    return { hypervisors: await this.matching(ctx, v, pattern, false) };
  }

  @Get(':id/servers')
  @Versions(undefined, '2.52')
  @Authorize('os_compute_api:os-hypervisors:servers')
  async servers(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('id') pattern: string,
  ) {
    return { hypervisors: await this.matching(ctx, v, pattern, true) };
  }

  private async matching(
    ctx: RequestContext,
    v: ApiVersion,
    pattern: string,
    withServers: boolean,
  ) {
    const { rows } = await this.inventory.searchNodes(ctx, pattern, { withServers });
    if (rows.length === 0) {
      throw new NoHypervisorMatches(pattern);
    }
    return rows.map((r) => hypervisorSummary(r, v, { withServers }));
  }
}
