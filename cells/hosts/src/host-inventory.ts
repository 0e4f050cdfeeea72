import { Inject, Injectable } from '@nestjs/common';
import { HostMappingRepository } from '@nova/api-db';
import { AvailabilityZones } from '@nova/availability-zones';
import { CACHE_BACKEND, type CacheBackend } from '@nova/cache';
import { CellRouter, type Cell } from '@nova/cell-router';
import { cellDb, COMPUTE_NODE_TOTAL_FIELDS, USAGE_AUDIT_TASK, type Service } from '@nova/cells/db';
import { HostMappingNotFound, type RequestContext } from '@nova/common';
import { ComputeClient, publishHostReport } from '@nova/compute-rpc';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { gatherFromCells } from './cell-gather';
import {
  assertUpdatable,
  type AuditRun,
  ComputeHostHasInstances,
  ComputeHostNotFound,
  ComputeServiceUnavailable,
  HostBinaryNotFound,
  type HostResourceLine,
  type HostResources,
  HypervisorNotFound,
  MarkerNotFound,
  ServiceNotFound,
  ServiceNotUnique,
  type ComputeNodeTotals,
  type HostInventoryPort,
  type Listing,
  type MappedHost,
  type NodeRow,
  type RecordRef,
  type ServiceChanges,
  type ServiceRow,
  UptimeNotImplemented,
} from '@nova/host-inventory';
import { MessagingTimeout, RemoteError } from '@nova/rpc';
import { nodeRows } from './node-rows';
import { isServiceUp } from './service-state';

/**
 * Services and compute nodes across every cell, read concurrently: a cell that
 * does not answer within `[cells] cell_list_timeout` is reported, never fatal.
 */
@Injectable()
export class HostInventory implements HostInventoryPort {
  constructor(
    private readonly router: CellRouter,
    private readonly hostMappings: HostMappingRepository,
    private readonly zones: AvailabilityZones,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    @Inject(CACHE_BACKEND) private readonly cache: CacheBackend,
  ) {}

  /** How long a listing waits for each cell: `cell_list_timeout`, capped by `cell_timeout`. */
  get listTimeoutMs(): number {
    const { cell_list_timeout, cell_timeout } = this.config.cells;
    return Math.min(cell_list_timeout, cell_timeout) * 1000;
  }

  private get downTime(): number {
    return this.config.DEFAULT.service_down_time;
  }

  /** Live services of every cell (cell0 included), optionally of one host and/or binary. */
  async listServices(
    ctx: RequestContext,
    filters: { host?: string; binary?: string } = {},
  ): Promise<Listing<ServiceRow>> {
    const { answers, failedCells } = await gatherFromCells(
      this.router,
      ctx,
      this.listTimeoutMs,
      (db) => db.services.list(filters),
    );
    // The database may compare case-insensitively; Nova's filters are exact.
    const found = answers.flatMap(({ cell, value }) =>
      value
        .filter(
          (s) =>
            (filters.host === undefined || s.host === filters.host) &&
            (filters.binary === undefined || s.binary === filters.binary),
        )
        .map((service) => ({ cell, service })),
    );
    return { rows: await this.serviceRows(found), failedCells };
  }

  /** The compute hosts mapped to these cells (host mappings), by cell then host name. */
  async mappedHosts(cells: readonly Cell[]): Promise<MappedHost[]> {
    const hosts: MappedHost[] = [];
    for (const cell of cells) {
      for (const mapping of await this.hostMappings.list(cell.id)) {
        hosts.push({ cell, host: mapping.host });
      }
    }
    return hosts;
  }

  /** A service by uuid, or by integer id (which must then be unique across cells). */
  async findService(ctx: RequestContext, ref: RecordRef): Promise<ServiceRow> {
    const { answers } = await gatherFromCells(this.router, ctx, this.listTimeoutMs, (db) =>
      'uuid' in ref ? db.services.findByUuid(ref.uuid) : db.services.findById(ref.id),
    );
    const found = answers.filter((a) => a.value !== null);
    if ('id' in ref && found.length > 1) {
      throw new ServiceNotUnique(ref.id);
    }
    const first = found[0];
    if (!first?.value) {
      throw new ServiceNotFound('uuid' in ref ? ref.uuid : ref.id);
    }
    return (await this.serviceRows([{ cell: first.cell, service: first.value }]))[0];
  }

  async findServiceByHostAndBinary(
    ctx: RequestContext,
    host: string,
    binary: string,
  ): Promise<ServiceRow> {
    const { answers } = await gatherFromCells(this.router, ctx, this.listTimeoutMs, (db) =>
      db.services.findByHostAndBinary(host, binary),
    );
    const first = answers.find((a) => a.value !== null && a.value.host === host);
    if (!first?.value) {
      throw new HostBinaryNotFound(host, binary);
    }
    return (await this.serviceRows([{ cell: first.cell, service: first.value }]))[0];
  }

  /** Enable, disable or force down a nova-compute service; returns it as stored. */
  async updateService(
    ctx: RequestContext,
    row: ServiceRow,
    changes: ServiceChanges,
  ): Promise<ServiceRow> {
    assertUpdatable(row.service.binary);
    const db = await cellDb(this.router.targetCell(ctx, row.cell));
    const updated = await db.services.update(row.service, changes);
    await this.tellSchedulers(row);
    return { ...row, service: updated, up: isServiceUp(updated, this.downTime) };
  }

  /**
   * Soft-delete a service. A nova-compute hosting instances is refused; otherwise
   * its compute nodes go with it and its host mapping (in this cell) is removed.
   */
  async deleteService(ctx: RequestContext, row: ServiceRow): Promise<void> {
    const db = await cellDb(this.router.targetCell(ctx, row.cell));
    const host = row.service.host;
    if (row.service.binary === 'nova-compute' && host !== null) {
      if ((await db.instances.countLive(host)) > 0) {
        throw new ComputeHostHasInstances(host);
      }
      const mapping = await this.hostMappings.findByHost(host);
      if (mapping && mapping.cell_id === row.cell.id) {
        await this.hostMappings.delete(mapping);
      }
    }
    await db.services.softDelete(row.service);
    await this.tellSchedulers(row);
  }

  /** A compute service changed: the schedulers' host-state caches re-read the host. */
  private async tellSchedulers(row: ServiceRow): Promise<void> {
    const { binary, host } = row.service;
    if (binary === 'nova-compute' && host !== null) {
      const report = { cell: row.cell.uuid, host, changed: true, at: Date.now() };
      await publishHostReport(this.cache, report);
    }
  }

  /**
   * A page of compute nodes in cell order then id order, after the node `marker`
   * (uuid or integer id; an unknown marker is 400). Nodes whose service is gone are
   * left out after paging, as Nova does.
   */
  async listNodes(
    ctx: RequestContext,
    options: { limit?: number; marker?: string; withServers: boolean },
  ): Promise<Listing<NodeRow>> {
    const { limit, withServers } = options;
    const marker = options.marker === undefined ? undefined : markerRef(options.marker);
    const opts = { withServers, downTimeSeconds: this.downTime };
    const { answers, failedCells } = await gatherFromCells(
      this.router,
      ctx,
      this.listTimeoutMs,
      async (db, cell) => {
        const page = async (afterId?: number) => {
          const nodes = await db.computeNodes.page(limit, afterId);
          return { nodes, rows: await nodeRows(db, cell, nodes, opts) };
        };
        const at =
          marker === undefined
            ? null
            : 'uuid' in marker
              ? await db.computeNodes.findByUuid(marker.uuid)
              : await db.computeNodes.findById(marker.id);
        // An integer marker may exist in several cells; only the first one pages after it.
        const fromStart = at === null || 'id' in (marker ?? {}) ? await page() : undefined;
        return { afterMarker: at === null ? undefined : await page(at.id), fromStart };
      },
      { skipCell0: true },
    );
    const rows: NodeRow[] = [];
    let started = marker === undefined;
    let room = limit ?? Number.POSITIVE_INFINITY;
    for (const { value } of answers) {
      const chosen = started ? value.fromStart : value.afterMarker;
      if (chosen === undefined) {
        continue;
      }
      started = true;
      if (room <= 0) {
        continue;
      }
      const taken = new Set(chosen.nodes.slice(0, room).map((n) => n.id));
      rows.push(...chosen.rows.filter((r) => taken.has(r.node.id)));
      room -= taken.size;
    }
    if (!started && options.marker !== undefined) {
      throw new MarkerNotFound(options.marker);
    }
    return { rows, failedCells };
  }

  /** Compute nodes whose hypervisor hostname contains `fragment`. */
  async searchNodes(
    ctx: RequestContext,
    fragment: string,
    options: { withServers: boolean },
  ): Promise<Listing<NodeRow>> {
    const { answers, failedCells } = await gatherFromCells(
      this.router,
      ctx,
      this.listTimeoutMs,
      async (db, cell) =>
        nodeRows(db, cell, await db.computeNodes.searchByHostname(fragment), {
          withServers: options.withServers,
          downTimeSeconds: this.downTime,
        }),
      { skipCell0: true },
    );
    return { rows: answers.flatMap((a) => a.value), failedCells };
  }

  /** A compute node by uuid or integer id (the first cell holding it); 404 without a live service. */
  async findNode(
    ctx: RequestContext,
    ref: RecordRef,
    options: { withServers: boolean },
  ): Promise<NodeRow> {
    const { answers } = await gatherFromCells(
      this.router,
      ctx,
      this.listTimeoutMs,
      async (db, cell) => {
        const node =
          'uuid' in ref
            ? await db.computeNodes.findByUuid(ref.uuid)
            : await db.computeNodes.findById(ref.id);
        const opts = { withServers: options.withServers, downTimeSeconds: this.downTime };
        return node ? nodeRows(db, cell, [node], opts) : [];
      },
      { skipCell0: true },
    );
    const row = answers.find((a) => a.value.length > 0)?.value[0];
    if (!row) {
      throw new HypervisorNotFound('uuid' in ref ? ref.uuid : ref.id);
    }
    return row;
  }

  /** Resource totals over the compute nodes of enabled services, summed over the cells that answer. */
  async nodeTotals(
    ctx: RequestContext,
  ): Promise<{ totals: ComputeNodeTotals; failedCells: readonly Cell[] }> {
    const { answers, failedCells } = await gatherFromCells(
      this.router,
      ctx,
      this.listTimeoutMs,
      (db) => db.computeNodes.totals(),
      { skipCell0: true },
    );
    const totals = {} as ComputeNodeTotals;
    for (const field of COMPUTE_NODE_TOTAL_FIELDS) {
      totals[field] = answers.reduce((sum, { value }) => sum + value[field], 0);
    }
    return { totals, failedCells };
  }

  /** Asks the node's compute host over its cell's queue (`compute.<host>`). */
  async hostUptime(ctx: RequestContext, row: NodeRow): Promise<string> {
    const host = row.node.host;
    if (host === null) {
      throw new ComputeServiceUnavailable(host);
    }
    const cctx = this.router.targetCell(ctx, row.cell);
    try {
      const client = new ComputeClient(
        await cctx.cell.mq(),
        this.config.DEFAULT.rpc_response_timeout * 1000,
      );
      return await client.hostUptime(ctx, host);
    } catch (err) {
      if (err instanceof RemoteError && err.remoteName === 'UnsupportedRpcMethod') {
        throw new UptimeNotImplemented();
      }
      if (err instanceof MessagingTimeout || err instanceof RemoteError) {
        throw new ComputeServiceUnavailable(host);
      }
      throw err;
    }
  }

  /** Read in the host's own cell (its host mapping), as Nova's os-hosts show. */
  async hostResources(ctx: RequestContext, host: string): Promise<HostResources> {
    const mapping = await this.hostMappings.findByHost(host);
    const cell = mapping && (await this.router.cells()).find((c) => c.id === mapping.cell_id);
    if (!cell) {
      throw new HostMappingNotFound(host);
    }
    const db = await cellDb(this.router.targetCell(ctx, cell));
    const [node] = await db.computeNodes.listLive(host);
    if (!node) {
      throw new ComputeHostNotFound(host);
    }
    const usage = await db.instances.usageOnHost(host);
    const line = (project: string, cpu: number, memory_mb: number, disk_gb: number) =>
      ({ project, cpu, memory_mb, disk_gb }) satisfies HostResourceLine;
    const sum = (key: 'vcpus' | 'memory_mb' | 'disk_gb') =>
      usage.reduce((total, u) => total + u[key], 0);
    return {
      total: line('(total)', node.vcpus, node.memory_mb, node.local_gb),
      usedNow: line('(used_now)', node.vcpus_used, node.memory_mb_used, node.local_gb_used),
      usedMax: line('(used_max)', sum('vcpus'), sum('memory_mb'), sum('disk_gb')),
      byProject: usage.map((u) => line(u.project_id ?? '', u.vcpus, u.memory_mb, u.disk_gb)),
    };
  }

  async usageAudit(
    ctx: RequestContext,
    period: { begin: Date; end: Date },
  ): Promise<{ hosts: string[]; runs: AuditRun[] }> {
    const { answers } = await gatherFromCells(
      this.router,
      ctx,
      this.listTimeoutMs,
      async (db) => ({
        services: await db.services.list({ binary: 'nova-compute' }),
        runs: await db.taskLogs.inPeriod(USAGE_AUDIT_TASK, period.begin, period.end),
      }),
      { skipCell0: true },
    );
    const hosts = answers.flatMap((a) => a.value.services.map((s) => s.host ?? ''));
    return { hosts: [...new Set(hosts)].sort(), runs: answers.flatMap((a) => a.value.runs) };
  }

  private async serviceRows(
    found: ReadonlyArray<{ cell: Cell; service: Service }>,
  ): Promise<ServiceRow[]> {
    const zones = await this.zones.serviceZones(found.map((f) => f.service));
    const now = Date.now();
    return found.map(({ cell, service }, i) => ({
      cell,
      service,
      up: isServiceUp(service, this.downTime, now),
      zone: zones[i] ?? this.zones.internalZone,
    }));
  }
}

/** A paging marker: a node uuid, or an integer node id; anything else matches nothing. */
function markerRef(marker: string): RecordRef {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(marker)) {
    return { uuid: marker.toLowerCase() };
  }
  if (/^\d{1,15}$/.test(marker)) {
    return { id: Number(marker) };
  }
  throw new MarkerNotFound(marker);
}
