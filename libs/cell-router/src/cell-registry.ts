import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CellMappingRepository } from '@nova/api-db';
import { CACHE_BACKEND, type CacheBackend } from '@nova/cache';
import { CellMappingNotFound, describeError } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { toCell, type Cell } from './cell';

const log = getLogger('cell-router.registry');

/** Pub/sub channel on which nova-manage announces cell mapping changes. */
export const CELLS_CHANGED_CHANNEL = 'cells:changed';

/** With pub/sub the poll is only a safety net for a missed message. */
const SAFETY_POLL_MS = 60_000;
/** A lookup of an unknown cell re-reads the list at most this often. */
const MISS_REFRESH_MS = 100;

export type CellChange =
  | { readonly kind: 'added'; readonly cell: Cell }
  | { readonly kind: 'updated'; readonly cell: Cell; readonly previous: Cell }
  | { readonly kind: 'removed'; readonly cell: Cell };

/**
 * The cell list, cached in process and kept fresh without restarts: a change made
 * by `nova-manage` is announced on Redis pub/sub and re-read at once; without a
 * shared cache (embedded default) the list is re-read every
 * `[cells] refresh_interval` seconds. Listeners hear about added, updated
 * (URLs or flags changed) and removed cells.
 */
@Injectable()
export class CellRegistry implements OnApplicationShutdown {
  private byUuid = new Map<string, Cell>();
  private ordered: Cell[] = [];
  private fingerprint = '';
  private loading?: Promise<void>;
  private watching = false;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => Promise<void>;
  private lastMissRefresh = 0;
  private readonly listeners: Array<(change: CellChange) => void> = [];

  constructor(
    private readonly mappings: CellMappingRepository,
    @Inject(CACHE_BACKEND) private readonly cache: CacheBackend,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  /** Every cell, in mapping id order (cell0 first when it was mapped first). */
  async list(): Promise<readonly Cell[]> {
    await this.ensureLoaded();
    return this.ordered;
  }

  async get(uuid: string): Promise<Cell> {
    await this.ensureLoaded();
    let cell = this.byUuid.get(uuid);
    if (!cell && Date.now() - this.lastMissRefresh > MISS_REFRESH_MS) {
      this.lastMissRefresh = Date.now();
      await this.refresh(); // it may have been created a moment ago
      cell = this.byUuid.get(uuid);
    }
    if (!cell) {
      throw new CellMappingNotFound(uuid);
    }
    return cell;
  }

  /** The cached cell, without touching the database. */
  peek(uuid: string): Cell | undefined {
    return this.byUuid.get(uuid);
  }

  onChange(listener: (change: CellChange) => void): void {
    this.listeners.push(listener);
  }

  /** Re-read the cell mappings and tell listeners what changed. */
  async refresh(): Promise<void> {
    const rows = await this.mappings.list();
    const cells = rows.map((m) => toCell(m, this.config));
    const fingerprint = JSON.stringify(cells);
    if (fingerprint === this.fingerprint) {
      return;
    }
    const previous = this.byUuid;
    this.byUuid = new Map(cells.map((c) => [c.uuid, c]));
    this.ordered = cells;
    this.fingerprint = fingerprint;
    this.emitDiff(previous);
  }

  /** Tell every process that the cell mappings changed (nova-manage calls this). */
  async announceChange(): Promise<void> {
    await this.refresh();
    await this.cache
      .publish(CELLS_CHANGED_CHANNEL, String(Date.now()))
      .catch((err: unknown) =>
        log.warn(
          { err: describeError(err) },
          'could not announce the cell change; other processes will poll',
        ),
      );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.unsubscribe?.();
  }

  private ensureLoaded(): Promise<void> {
    if (!this.loading) {
      this.loading = this.refresh().catch((err: unknown) => {
        this.loading = undefined; // try again on the next call
        throw err;
      });
      void this.loading.then(
        () => this.watch(),
        () => undefined,
      );
    }
    return this.loading;
  }

  private watch(): void {
    if (this.watching) {
      return;
    }
    this.watching = true;
    const pollMs = this.cache.shared ? SAFETY_POLL_MS : this.config.cells.refresh_interval * 1000;
    this.timer = setInterval(() => this.refreshQuietly('poll'), pollMs);
    this.timer.unref();
    if (this.cache.shared) {
      void this.cache
        .subscribe(CELLS_CHANGED_CHANNEL, () => this.refreshQuietly('announcement'))
        .then((unsubscribe) => (this.unsubscribe = unsubscribe));
      this.cache.onReconnect(() => this.refreshQuietly('cache reconnect'));
    }
  }

  private refreshQuietly(reason: string): void {
    this.refresh().catch((err: unknown) =>
      log.warn({ reason, err: describeError(err) }, 'cell list refresh failed'),
    );
  }

  private emitDiff(previous: Map<string, Cell>): void {
    const changes: CellChange[] = [];
    for (const cell of this.ordered) {
      const before = previous.get(cell.uuid);
      if (!before) {
        changes.push({ kind: 'added', cell });
      } else if (JSON.stringify(before) !== JSON.stringify(cell)) {
        changes.push({ kind: 'updated', cell, previous: before });
      }
    }
    for (const [uuid, cell] of previous) {
      if (!this.byUuid.has(uuid)) {
        changes.push({ kind: 'removed', cell });
      }
    }
    for (const change of changes) {
      if (previous.size > 0) {
        log.info({ change: change.kind, cell: change.cell.uuid }, 'cell mapping changed');
      }
      this.listeners.forEach((l) => l(change));
    }
  }
}
