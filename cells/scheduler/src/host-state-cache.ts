import type { AggregateRecord } from '@nova/aggregates';
import type { Cell, CellRouter } from '@nova/cell-router';
import { cellDb } from '@nova/cells/db';
import { isServiceUp } from '@nova/cells/hosts';
import { adminContext } from '@nova/common';
import type { HostReportMessage } from '@nova/compute-rpc';
import { getLogger } from '@nova/logging';
import type { PlacementService, ProviderSummary } from '@nova/placement';
import type { HostState } from '@nova/scheduler';
import {
  AggregateIndex,
  buildHostStates,
  logLeftOut,
  readCellHosts,
  resourcesOf,
  schedulableCells,
  type BuiltHost,
  type CellHostRows,
  type Heartbeat,
  type HostStateOptions,
} from './host-states';

const log = getLogger('scheduler.cache');

/** A cell that failed to load is tried again after this long (not on every request). */
const CELL_RETRY_MS = 5_000;
/** Usage re-reads asked for by heartbeats are batched at most this often. */
const USAGE_BATCH_MS = 1_000;
/** Liveness (heartbeat age) is recomputed for every host at most this often. */
const LIVENESS_MS = 1_000;
/** The aggregate list is re-read at least this often, announcements or not. */
const AGGREGATES_SAFETY_MS = 60_000;
/** Syncs a request waits for before it goes on with what it has (reports keep arriving). */
const MAX_SYNC_ROUNDS = 3;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One compute node as cached: the state handed to selection, and its service's heartbeat. */
interface CachedHost {
  readonly state: Mutable<HostState>;
  readonly heartbeat: Mutable<Heartbeat>;
}

/** The hosts of the enabled cells, flat, as requests use them. */
interface HostList {
  readonly version: number;
  readonly cells: string;
  readonly hosts: readonly CachedHost[];
  readonly states: HostState[];
  livenessAt: number;
}

/** The cached compute nodes of one cell, by host name (a host may have several nodes). */
type CellHosts = Map<string, CachedHost[]>;

export interface HostStateCacheOptions extends HostStateOptions {
  /** How long a cell's first read may take ([cells] cell_list_timeout). */
  readonly timeoutMs: number;
  /** The aggregates, from the API database. */
  readonly loadAggregates: () => Promise<readonly AggregateRecord[]>;
}

/**
 * The scheduler's host states, kept in memory between requests (Nova's
 * HostManager) instead of re-reading every host of every cell per request.
 *
 * Fed by the computes: a report that changed something (node, inventory,
 * service) re-reads that host before the next request; a heartbeat only marks
 * the host alive (and re-reads its usage in a batch, within a second). A cell
 * is read whole the first time a request needs it (a new cell is picked up by
 * the next request after the registry learns of it). Aggregates are re-read
 * when a change is announced (aggregatesChanged) and at least every minute.
 *
 * Placement stays the truth: selection consumes from these states in memory
 * (so concurrent requests spread), the caller claims in placement, and tells
 * the cache where its picture was wrong (reread, placedElsewhere); those
 * hosts are re-read before the next request. A request that finds no host is
 * retried by the caller after refreshAll(), so the cache can narrow but never
 * deny a placement the databases would allow.
 */
export class HostStateCache {
  private readonly cells = new Map<string, CellHosts>();
  private readonly failedAt = new Map<string, number>();
  private readonly byProvider = new Map<string, CachedHost>();
  /** cell -> hosts to re-read whole before the next request. */
  private stale = new Map<string, Set<string>>();
  /** Providers whose usage to re-read in the next batch. */
  private usage = new Set<string>();
  private lastUsageBatch = 0;
  private aggregatesKey = '';
  /** Bumped by each announced change; the list is current when it was read at this count. */
  private aggregateChanges = 0;
  private aggregatesReadAt?: { changes: number; at: number };
  private aggregatesLoading?: Promise<void>;
  private index: AggregateIndex;
  private syncing?: Promise<void>;
  private listCache?: HostList;
  private version = 0;

  constructor(
    private readonly router: CellRouter,
    private readonly placement: PlacementService,
    private readonly opts: HostStateCacheOptions,
  ) {
    this.index = new AggregateIndex([], opts.defaultZone);
  }

  /**
   * Every host of every enabled cell, up to date with what was reported before
   * this call. The objects are the cache's own: selection may consume from them.
   */
  async hostStates(): Promise<HostState[]> {
    const cells = await schedulableCells(this.router);
    if (this.aggregatesDue()) {
      this.aggregatesLoading ??= this.readAggregates().finally(
        () => (this.aggregatesLoading = undefined),
      );
      await this.aggregatesLoading;
    }
    for (let round = 0; round < MAX_SYNC_ROUNDS && this.needsSync(cells); round++) {
      this.syncing ??= this.sync(cells).finally(() => (this.syncing = undefined));
      await this.syncing;
    }
    const list = this.list(cells);
    const now = Date.now();
    if (now - list.livenessAt >= LIVENESS_MS) {
      // Heartbeats age without any message: a host that stopped reporting goes down.
      list.livenessAt = now;
      for (const { state, heartbeat } of list.hosts) {
        state.serviceUp = isServiceUp(heartbeat, this.opts.serviceDownTime, now);
      }
    }
    return list.states;
  }

  /** An aggregate changed (announced by the API): re-read the list before the next request. */
  aggregatesChanged(): void {
    this.aggregateChanges++;
  }

  /** A compute reported (through its conductor), or an operator changed its service. */
  hostReported(report: HostReportMessage): void {
    const nodes = this.cells.get(report.cell)?.get(report.host);
    if (!nodes) {
      // Unknown: a new host, or a cell not read yet (then the cell read will have it).
      if (this.cells.has(report.cell)) {
        this.markStale(report.cell, report.host);
      }
      return;
    }
    if (report.changed) {
      this.markStale(report.cell, report.host);
      return;
    }
    for (const node of nodes) {
      node.heartbeat.last_seen_up = new Date(report.at);
      node.state.serviceUp = isServiceUp(node.heartbeat, this.opts.serviceDownTime);
      this.usage.add(node.state.providerUuid);
    }
  }

  /** Re-read these hosts before the next request (a claim on them failed, or was undone). */
  reread(hosts: readonly HostState[]): void {
    hosts.forEach((h) => this.markStale(h.cellUuid, h.host));
  }

  /**
   * An instance was consumed in memory on `selected` but claimed on `winner`
   * (another candidate, or the same host after the cache replaced its state):
   * re-read both, so neither keeps a wrong picture.
   */
  placedElsewhere(selected: HostState, winner: HostState): void {
    this.markStale(selected.cellUuid, selected.host);
    this.markStale(winner.cellUuid, winner.host);
  }

  /** Whether `state` is still the object the cache hands out for its node. */
  isCurrent(state: HostState): boolean {
    return this.byProvider.get(state.providerUuid)?.state === state;
  }

  /** Forget everything: the next request reads every cell whole (failure retries, safety refresh). */
  refreshAll(): void {
    this.cells.clear();
    this.byProvider.clear();
    this.failedAt.clear();
    this.stale = new Map();
    this.usage.clear();
    this.aggregateChanges++;
    this.version++;
  }

  /**
   * Re-read one cell whole in the background (the safety net for lost
   * messages): requests go on with the old states until the new ones replace them.
   */
  async rereadCell(cell: Cell): Promise<void> {
    if (!this.cells.has(cell.uuid)) {
      return; // read when a request needs it
    }
    let rows: CellHostRows;
    let providers: Map<string, ProviderSummary>;
    try {
      rows = await readCellHosts(await cellDb(this.router.targetCell(adminContext(), cell)));
      const uuids = rows.nodes.map((n) => n.uuid).filter((u): u is string => !!u);
      providers = new Map((await this.placement.providerSummaries(uuids)).map((p) => [p.uuid, p]));
    } catch (err) {
      // A cell that stopped answering leaves scheduling, as it would without the cache.
      this.dropCell(cell.uuid);
      this.failedAt.set(cell.uuid, Date.now());
      throw err;
    }
    if (this.cells.has(cell.uuid)) {
      this.store(cell, undefined, buildHostStates(cell, rows, providers, this.index, this.opts));
    }
  }

  /** Forget one cell (its mapping changed); read again when next needed. */
  dropCell(uuid: string): void {
    for (const nodes of this.cells.get(uuid)?.values() ?? []) {
      nodes.forEach((n) => this.byProvider.delete(n.state.providerUuid));
    }
    this.cells.delete(uuid);
    this.failedAt.delete(uuid);
    this.stale.delete(uuid);
    this.version++;
  }

  /** How many nodes are cached (for logs and tests). */
  get size(): number {
    return this.byProvider.size;
  }

  private markStale(cell: string, host: string): void {
    const hosts = this.stale.get(cell) ?? new Set<string>();
    hosts.add(host);
    this.stale.set(cell, hosts);
  }

  private needsSync(cells: readonly Cell[]): boolean {
    return (
      this.stale.size > 0 ||
      (this.usage.size > 0 && Date.now() - this.lastUsageBatch >= USAGE_BATCH_MS) ||
      cells.some((c) => this.unread(c))
    );
  }

  private unread(cell: Cell): boolean {
    const failed = this.failedAt.get(cell.uuid);
    return (
      !this.cells.has(cell.uuid) && (failed === undefined || Date.now() - failed > CELL_RETRY_MS)
    );
  }

  /** Read the cells never read, re-read the stale hosts, then batch the usage re-reads. */
  private async sync(cells: readonly Cell[]): Promise<void> {
    const unread = cells.filter((c) => this.unread(c));
    const stale = this.stale;
    this.stale = new Map();
    const usageDue = Date.now() - this.lastUsageBatch >= USAGE_BATCH_MS;
    const usage = usageDue ? this.usage : new Set<string>();
    if (usageDue) {
      this.usage = new Set();
      this.lastUsageBatch = Date.now();
    }
    const targets = [
      ...unread.map((cell) => ({ cell, hosts: undefined })),
      ...cells
        .filter((c) => stale.has(c.uuid) && this.cells.has(c.uuid))
        .map((cell) => ({ cell, hosts: [...stale.get(cell.uuid)!] })),
    ];
    const results = await this.router.scatterGather(
      adminContext(),
      targets.map((t) => t.cell),
      async (cctx) => {
        const target = targets.find((t) => t.cell.uuid === cctx.cell.uuid)!;
        return readCellHosts(await cellDb(cctx), target.hosts);
      },
      { timeoutMs: this.opts.timeoutMs },
    );
    const read: Array<{ cell: Cell; hosts?: string[]; rows: CellHostRows }> = [];
    for (const target of targets) {
      const result = results.get(target.cell.uuid);
      if (result?.status === 'ok') {
        read.push({ ...target, rows: result.value });
      } else if (target.hosts) {
        target.hosts.forEach((h) => this.markStale(target.cell.uuid, h)); // try again next time
      } else {
        this.failedAt.set(target.cell.uuid, Date.now());
        logLeftOut(target.cell, result);
      }
    }
    // One placement query for every node read and every usage asked for.
    const uuids = new Set(usage);
    for (const { rows } of read) {
      rows.nodes.forEach((n) => n.uuid && uuids.add(n.uuid));
    }
    const providers = new Map<string, ProviderSummary>();
    if (uuids.size > 0) {
      for (const p of await this.placement.providerSummaries([...uuids])) {
        providers.set(p.uuid, p);
      }
    }
    for (const { cell, hosts, rows } of read) {
      this.store(cell, hosts, buildHostStates(cell, rows, providers, this.index, this.opts));
    }
    for (const uuid of usage) {
      const cached = this.byProvider.get(uuid);
      const summary = providers.get(uuid);
      if (cached && summary) {
        cached.state.resources = resourcesOf(summary);
      }
    }
    if (read.some((r) => !r.hosts)) {
      log.info({ cells: this.cells.size, nodes: this.byProvider.size }, 'host states cached');
    }
  }

  /** Replace the cell's cached nodes (all, or those of `hosts`) by what was just read. */
  private store(cell: Cell, hosts: readonly string[] | undefined, built: readonly BuiltHost[]) {
    let entry = this.cells.get(cell.uuid);
    if (!entry || !hosts) {
      entry?.forEach((nodes) => nodes.forEach((n) => this.byProvider.delete(n.state.providerUuid)));
      entry = new Map();
      this.cells.set(cell.uuid, entry);
      this.failedAt.delete(cell.uuid);
    }
    for (const host of hosts ?? []) {
      entry.get(host)?.forEach((n) => this.byProvider.delete(n.state.providerUuid));
      entry.delete(host);
    }
    for (const b of built) {
      const cached: CachedHost = { state: b.state, heartbeat: { ...b.heartbeat } };
      entry.set(b.state.host, [...(entry.get(b.state.host) ?? []), cached]);
      this.byProvider.set(b.state.providerUuid, cached);
    }
    this.version++;
  }

  private aggregatesDue(): boolean {
    const read = this.aggregatesReadAt;
    return (
      !read || read.changes !== this.aggregateChanges || Date.now() - read.at > AGGREGATES_SAFETY_MS
    );
  }

  private async readAggregates(): Promise<void> {
    const changes = this.aggregateChanges;
    const at = Date.now();
    this.applyAggregates(await this.opts.loadAggregates());
    this.aggregatesReadAt = { changes, at };
  }

  /** Re-derive every host's aggregates and zone when the aggregate list changed. */
  private applyAggregates(aggregates: readonly AggregateRecord[]): void {
    const key = JSON.stringify(aggregates.map((a) => [a.name, a.metadata, a.hosts]));
    if (key === this.aggregatesKey) {
      return;
    }
    this.aggregatesKey = key;
    this.index = new AggregateIndex(aggregates, this.opts.defaultZone);
    for (const { state } of this.byProvider.values()) {
      state.aggregates = this.index.aggregatesOf(state.host);
      state.availabilityZone = this.index.zoneOf(state.host);
    }
  }

  /** The cached hosts of these cells, in cell order; rebuilt only when hosts changed. */
  private list(cells: readonly Cell[]): HostList {
    const key = cells.map((c) => c.uuid).join(',');
    if (this.listCache?.version === this.version && this.listCache.cells === key) {
      return this.listCache;
    }
    const hosts: CachedHost[] = [];
    for (const cell of cells) {
      for (const nodes of this.cells.get(cell.uuid)?.values() ?? []) {
        hosts.push(...nodes);
      }
    }
    const states = hosts.map((h) => h.state);
    this.listCache = { version: this.version, hosts, states, cells: key, livenessAt: 0 };
    return this.listCache;
  }
}
