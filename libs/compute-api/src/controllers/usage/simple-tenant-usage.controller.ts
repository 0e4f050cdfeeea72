import { Controller, Get, Inject, Param, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { PolicyEnforcer } from '@nova/policy';
import { INSTANCE_USAGE, type InstanceUsagePort } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { nextLink, type Link } from '../../http/links';
import { queryOf } from '../../http/query';
import { QueryParams } from '../../http/query-schema';
import { Authorize, Ctx, ReqVersion } from '../../http/route-meta';
import { tenantUsages, type ServerUsage } from '../../views/tenant-usage.view';
import { USAGE_INDEX_QUERY, USAGE_SHOW_QUERY, type UsageQuery, usageQuery } from './usage-query';

/**
 * /os-simple-tenant-usage: hours, and gb/vcpus/MB times hours, of the
 * instances active in a period (deleted ones too), from every cell at once.
 * Every tenant for admins; one tenant for its readers (or admins).
 */
@Controller(apiPaths('os-simple-tenant-usage'))
export class SimpleTenantUsageController {
  constructor(
    @Inject(INSTANCE_USAGE) private readonly instances: InstanceUsagePort,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    private readonly policy: PolicyEnforcer,
  ) {}

  @Get()
  @QueryParams(USAGE_INDEX_QUERY)
  @Authorize('os_compute_api:os-simple-tenant-usage:list')
  async index(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    const q = usageQuery(queryOf(req), v, this.config.api.max_limit, { index: true });
    const { usages, servers } = await this.usage(ctx, q);
    const links = q.links ? this.links(req, q, servers) : [];
    return { tenant_usages: usages, ...(links.length > 0 ? { tenant_usages_links: links } : {}) };
  }

  @Get(':tenant_id')
  @QueryParams(USAGE_SHOW_QUERY)
  async show(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('tenant_id') tenantId: string,
  ) {
    this.policy.authorize(ctx, 'os_compute_api:os-simple-tenant-usage:show', {
      project_id: tenantId,
    });
    const q = usageQuery(queryOf(req), v, this.config.api.max_limit, { index: false });
    const { usages, servers } = await this.usage(ctx, { ...q, detailed: true }, tenantId);
    const links = q.links ? this.links(req, q, servers) : [];
    return {
      tenant_usage: usages[0] ?? {},
      ...(links.length > 0 ? { tenant_usage_links: links } : {}),
    };
  }

  private async usage(ctx: RequestContext, q: UsageQuery, projectId?: string) {
    const instances = await this.instances.instancesActiveIn(ctx, {
      start: q.start,
      end: q.stop,
      limit: q.limit,
      ...(q.marker !== undefined ? { marker: q.marker } : {}),
      ...(projectId !== undefined ? { projectId } : {}),
    });
    return tenantUsages(instances, q.start, q.stop, { detailed: q.detailed });
  }

  /** A next link when the page of servers is full (marker: the last instance's uuid). */
  private links(req: FastifyRequest, q: UsageQuery, servers: readonly ServerUsage[]): Link[] {
    const last = servers[servers.length - 1];
    return last && q.limit > 0 && servers.length === q.limit
      ? [nextLink(req, this.config.api.compute_link_prefix, last.instance_id)]
      : [];
  }
}
