import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { NotFound, type RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { HOST_INVENTORY, type HostInventoryPort, type ServiceRow } from '@nova/host-inventory';
import { PolicyEnforcer, type Target } from '@nova/policy';
import { ServerGroupService } from '@nova/server-groups';
import type { ServerRecord, UnknownServer } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import {
  serverLinksFor,
  serverView,
  unknownServerView,
  type ServerViewContext,
} from '../../views/servers';
import { CellNotResponding, isUnknownServer } from './server-lookup';

const RULE = 'os_compute_api:servers';
const EXTENDED_ATTRIBUTES = 'os_compute_api:os-extended-server-attributes';

/** host_status for everyone allowed, or only when it is UNKNOWN (the unknown-only policy). */
type HostStatusMode = 'all' | 'unknown-only';

/**
 * Renders servers for a request: decides, by policy and microversion, what the
 * views show (extended attributes, flavor extra specs, host_status, server
 * groups) and fetches what that needs. GET shows a down cell's server minimal
 * from 2.69; earlier it is 503 (Nova: 500).
 */
@Injectable()
export class ServerPresenter {
  constructor(
    private readonly policy: PolicyEnforcer,
    private readonly groups: ServerGroupService,
    @Inject(HOST_INVENTORY) private readonly inventory: HostInventoryPort,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  /** GET /servers/{id} (`show`), PUT /servers/{id} (`update`) and the rebuild action (`rebuild`). */
  async one(
    ctx: RequestContext,
    v: ApiVersion,
    req: FastifyRequest,
    server: ServerRecord | UnknownServer,
    shape: 'show' | 'update' | 'rebuild',
  ): Promise<Record<string, unknown>> {
    if (isUnknownServer(server) && !v.atLeast('2.69')) {
      throw new CellNotResponding(server);
    }
    const target = { project_id: server.project_id };
    const base: ServerViewContext = {
      ...this.baseContext(ctx, v, req, shape, target),
      ...(v.atLeast('2.71')
        ? { serverGroups: (await this.groups.groupsOfInstance(server.uuid)).map((g) => g.uuid) }
        : {}),
    };
    if (isUnknownServer(server)) {
      return unknownServerView(server, base);
    }
    // PUT shows host_status only from 2.75, when it answers the full view.
    const shown = shape === 'show' || v.atLeast('2.75');
    const mode = shown ? this.hostStatusMode(ctx, v, target) : null;
    if (mode === null) {
      return serverView(server, base);
    }
    const status = await this.hostStatus(ctx, server.host);
    return filtered(serverView(server, { ...base, hostStatus: () => status }), mode);
  }

  /** The entries of GET /servers (`brief`) and GET /servers/detail (`detail`). */
  async many(
    ctx: RequestContext,
    v: ApiVersion,
    req: FastifyRequest,
    servers: ReadonlyArray<ServerRecord | UnknownServer>,
    shape: 'brief' | 'detail',
  ): Promise<Array<Record<string, unknown>>> {
    const base = this.baseContext(ctx, v, req, shape, { project_id: ctx.projectId });
    const mode =
      shape === 'detail' ? this.hostStatusMode(ctx, v, { project_id: ctx.projectId }) : null;
    const records = servers.filter((s): s is ServerRecord => !isUnknownServer(s));
    const statusOf = mode ? await this.hostStatuses(ctx, records) : null;
    const context: ServerViewContext = statusOf
      ? { ...base, hostStatus: (s) => statusOf(s.host) }
      : base;
    return servers.map((s) => {
      if (isUnknownServer(s)) {
        return unknownServerView(s, base);
      }
      const view = serverView(s, context);
      return mode ? filtered(view, mode) : view;
    });
  }

  private baseContext(
    ctx: RequestContext,
    v: ApiVersion,
    req: FastifyRequest,
    shape: ServerViewContext['shape'],
    target: Target,
  ): ServerViewContext {
    const detailed = shape !== 'brief';
    return {
      version: v,
      links: serverLinksFor(req, this.config.api.compute_link_prefix),
      shape,
      isAdmin: ctx.isAdmin,
      extendedAttributes: detailed && this.policy.allows(ctx, EXTENDED_ATTRIBUTES, target),
      flavorExtraSpecs:
        detailed &&
        v.atLeast('2.47') &&
        this.policy.allows(ctx, `${RULE}:show:flavor-extra-specs`, target),
    };
  }

  private hostStatusMode(
    ctx: RequestContext,
    v: ApiVersion,
    target: Target,
  ): HostStatusMode | null {
    if (!v.atLeast('2.16')) {
      return null;
    }
    if (this.policy.allows(ctx, `${RULE}:show:host_status`, target)) {
      return 'all';
    }
    return this.policy.allows(ctx, `${RULE}:show:host_status:unknown-only`, target)
      ? 'unknown-only'
      : null;
  }

  /** One server's host: its nova-compute service's state ('' without a host or service). */
  private async hostStatus(ctx: RequestContext, host: string | null): Promise<string> {
    if (!host) {
      return '';
    }
    try {
      return statusOf(await this.inventory.findServiceByHostAndBinary(ctx, host, 'nova-compute'));
    } catch (err) {
      // No such service is NONE; a cell that does not answer is UNKNOWN.
      return err instanceof NotFound ? '' : 'UNKNOWN';
    }
  }

  /** Every listed server's host, from one listing of the compute services. */
  private async hostStatuses(
    ctx: RequestContext,
    servers: readonly ServerRecord[],
  ): Promise<(host: string | null) => string> {
    if (!servers.some((s) => s.host)) {
      return () => '';
    }
    try {
      const { rows, failedCells } = await this.inventory.listServices(ctx, {
        binary: 'nova-compute',
      });
      const byHost = new Map(rows.map((row) => [row.service.host, statusOf(row)]));
      const missing = failedCells.length > 0 ? 'UNKNOWN' : '';
      return (host) => (host ? (byHost.get(host) ?? missing) : '');
    } catch {
      return (host) => (host ? 'UNKNOWN' : '');
    }
  }
}

/** Nova's HostStatus of a compute service. */
function statusOf(row: ServiceRow): string {
  if (row.service.forced_down) {
    return 'DOWN';
  }
  if (row.service.disabled) {
    return 'MAINTENANCE';
  }
  return row.up ? 'UP' : 'UNKNOWN';
}

function filtered(view: Record<string, unknown>, mode: HostStatusMode): Record<string, unknown> {
  if (mode === 'unknown-only' && view['host_status'] !== 'UNKNOWN') {
    delete view['host_status'];
  }
  return view;
}
