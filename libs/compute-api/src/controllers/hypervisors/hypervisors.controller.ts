import { Controller, Get, Inject, Param, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import {
  ComputeServiceUnavailable,
  HOST_INVENTORY,
  type HostInventoryPort,
  NoHypervisorMatches,
  type NodeRow,
  UptimeNotImplemented,
} from '@nova/host-inventory';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { nextLink } from '../../http/links';
import { queryOf } from '../../http/query';
import { QueryParams } from '../../http/query-schema';
import { Authorize, Ctx, ReqVersion } from '../../http/route-meta';
import { hypervisorDetail, hypervisorSummary } from '../../views/hypervisor.view';
import {
  HYPERVISOR_LIST_QUERY,
  HYPERVISOR_SHOW_QUERY,
  hypervisorListQuery,
  hypervisorRef,
  hypervisorShowQuery,
} from './hypervisor-query';

/** /os-hypervisors (admin): compute nodes of every cell, paged from 2.33, by uuid from 2.53. */
@Controller(apiPaths('os-hypervisors'))
export class HypervisorsController {
  constructor(
    @Inject(HOST_INVENTORY) private readonly inventory: HostInventoryPort,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  @Get()
  @QueryParams(HYPERVISOR_LIST_QUERY)
  @Authorize('os_compute_api:os-hypervisors:list')
  index(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    return this.list(ctx, v, req, false);
  }

  @Get('detail')
  @QueryParams(HYPERVISOR_LIST_QUERY)
  @Authorize('os_compute_api:os-hypervisors:list-detail')
  detail(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    return this.list(ctx, v, req, true);
  }

  @Get(':id')
  @QueryParams(HYPERVISOR_SHOW_QUERY)
  @Authorize('os_compute_api:os-hypervisors:show')
  async show(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('id') id: string,
  ) {
    const { withServers } = hypervisorShowQuery(queryOf(req), v);
    const row = await this.inventory.findNode(ctx, hypervisorRef(id, v), { withServers });
    // From 2.88 the show carries what /uptime did; a host that cannot tell shows null.
    const uptime = v.atLeast('2.88') && row.up ? await this.uptimeOrNull(ctx, row) : null;
    return { hypervisor: hypervisorDetail(row, v, { withServers, uptime }) };
  }

  private async uptimeOrNull(ctx: RequestContext, row: NodeRow): Promise<string | null> {
    try {
      return await this.inventory.hostUptime(ctx, row);
    } catch (err) {
      if (err instanceof ComputeServiceUnavailable || err instanceof UptimeNotImplemented) {
        return null;
      }
      throw err;
    }
  }

  private async list(ctx: RequestContext, v: ApiVersion, req: FastifyRequest, detailed: boolean) {
    const query = hypervisorListQuery(queryOf(req), v, this.config.api.max_limit);
    const { withServers } = query;
    let rows: NodeRow[];
    if (query.pattern !== undefined) {
      rows = (await this.inventory.searchNodes(ctx, query.pattern, { withServers })).rows;
      if (rows.length === 0) {
        throw new NoHypervisorMatches(query.pattern);
      }
    } else {
      rows = (
        await this.inventory.listNodes(ctx, {
          ...(query.limit !== undefined ? { limit: query.limit } : {}),
          ...(query.marker !== undefined ? { marker: query.marker } : {}),
          withServers,
        })
      ).rows;
    }
    const render = detailed ? hypervisorDetail : hypervisorSummary;
    const body: Record<string, unknown> = {
      hypervisors: rows.map((r) => render(r, v, { withServers })),
    };
    // Paging starts at 2.33; a hostname pattern never pages.
    const last = rows[rows.length - 1];
    if (last && query.limit !== undefined && rows.length === query.limit) {
      const marker = v.atLeast('2.53') ? (last.node.uuid ?? last.node.id) : last.node.id;
      body['hypervisors_links'] = [nextLink(req, this.config.api.compute_link_prefix, marker)];
    }
    return body;
  }
}
