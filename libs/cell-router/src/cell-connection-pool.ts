import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { addCellConnectionSource, type CellConnectionReport } from '@nova/metrics';
import { transportOptions } from '@nova/rpc';
import { cellLabel, type Cell } from './cell';
import { CellConnection, ConnectionStats, type ConnectionSettings } from './cell-connection';
import { CELL_DB_SCHEMA, type CellDbSchema } from './cell-db-schema';

const log = getLogger('cell-router.pool');

/** Connections of a cell that was replaced stay open this long for queries in flight. */
const RETIRE_GRACE_MS = 1000;

/**
 * Per-cell connections, created on first use, keyed by cell uuid and checked
 * against the cell's current URLs: a changed URL retires the old connection
 * (closed after a short grace) and opens a new one. Bounded: past
 * `[cells] max_open_cells` the least recently used cell is retired, and cells
 * idle for `[cells] idle_timeout` are closed.
 */
@Injectable()
export class CellConnectionPool implements OnApplicationShutdown {
  readonly stats = new ConnectionStats();
  private readonly entries = new Map<string, CellConnection>(); // iteration order = LRU first
  private readonly retiring = new Set<Promise<void>>();
  private readonly settings: ConnectionSettings;
  private readonly maxOpen: number;
  private readonly idleMs: number;
  private reaper?: NodeJS.Timeout;
  private readonly unreport: () => void;

  constructor(
    @Inject(NOVA_CONFIG) config: NovaConfig,
    @Inject(CELL_DB_SCHEMA) schema: CellDbSchema,
  ) {
    this.settings = {
      schema,
      dbPoolSize: config.database.max_pool_size,
      dbIdleMs: config.database.connection_recycle_time * 1000,
      connectTimeoutMs: config.cells.connect_timeout * 1000,
      transport: transportOptions(config.oslo_messaging_rabbit),
    };
    this.maxOpen = config.cells.max_open_cells;
    this.idleMs = config.cells.idle_timeout * 1000;
    this.unreport = addCellConnectionSource(this);
  }

  /** Every known cell's connection state (read at scrape time only). */
  *cellStates(): Iterable<CellConnectionReport> {
    for (const entry of this.entries.values()) {
      yield entry.report();
    }
  }

  /** The connection for a cell as currently mapped. Cheap and synchronous: opening is lazy. */
  get(cell: Cell): CellConnection {
    const existing = this.entries.get(cell.uuid);
    if (existing && existing.key === cell.connectionKey) {
      this.entries.delete(cell.uuid); // move to the most-recently-used end
      this.entries.set(cell.uuid, existing);
      return existing;
    }
    if (existing) {
      log.info({ cell: cellLabel(cell) }, 'cell URLs changed; replacing its connections');
      this.retire(cell.uuid);
    }
    const created = new CellConnection(cell, this.settings, this.stats);
    this.entries.set(cell.uuid, created);
    this.enforceBound();
    this.startReaper();
    return created;
  }

  /** Close a cell's connections (it was deleted or its URLs changed) after a short grace. */
  retire(cellUuid: string): void {
    const entry = this.entries.get(cellUuid);
    if (!entry) {
      return;
    }
    this.entries.delete(cellUuid);
    const closing = new Promise<void>((resolve) => {
      setTimeout(() => void entry.close().finally(resolve), RETIRE_GRACE_MS).unref();
    });
    this.retiring.add(closing);
    void closing.finally(() => this.retiring.delete(closing));
  }

  /** Close a cell's connections now (a sweep over many cells is done with it). */
  async release(cellUuid: string): Promise<void> {
    const entry = this.entries.get(cellUuid);
    this.entries.delete(cellUuid);
    await entry?.close();
  }

  /** Cells with connections open or opening. */
  get openCount(): number {
    return [...this.entries.values()].filter((e) => e.isOpen).length;
  }

  /** Wait for retired connections to finish closing (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.retiring]);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unreport();
    if (this.reaper) {
      clearInterval(this.reaper);
    }
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.close()));
    await this.drain();
  }

  private enforceBound(): void {
    while (this.entries.size > this.maxOpen) {
      const [oldest] = this.entries.keys();
      if (oldest === undefined) {
        return;
      }
      log.info(
        { cell: oldest, max: this.maxOpen },
        'too many open cells; closing the least recently used',
      );
      this.retire(oldest);
    }
  }

  private startReaper(): void {
    if (this.reaper) {
      return;
    }
    const every = Math.max(1000, Math.min(this.idleMs / 4, 30_000));
    this.reaper = setInterval(() => this.reapIdle(), every);
    this.reaper.unref();
  }

  private reapIdle(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [uuid, entry] of this.entries) {
      if (entry.lastUsed < cutoff) {
        log.debug({ cell: uuid }, 'closing idle cell connections');
        this.entries.delete(uuid);
        void entry.close();
      }
    }
  }
}
