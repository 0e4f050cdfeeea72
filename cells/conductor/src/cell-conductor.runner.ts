import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CACHE_BACKEND, type CacheBackend } from '@nova/cache';
import {
  CellRouter,
  cellLabel,
  InstanceMappings,
  isCell0,
  type Cell,
  type CellChange,
} from '@nova/cell-router';
import { ServiceHeartbeat } from '@nova/cells/hosts';
import { describeError, maskUrl } from '@nova/common';
import { CONDUCTOR_TOPIC } from '@nova/compute-rpc';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { PlacementService } from '@nova/placement';
import { openTransport, parseTransportUrl, transportOptions, type RpcTransport } from '@nova/rpc';
import { BuildRequests } from '@nova/servers';
import { CellConductor } from './cell-conductor';

const log = getLogger('conductor.cell');

/** Milliseconds between attempts to serve a cell whose queue could not be reached. */
const RETRY_MS = 3000;

interface Serving {
  readonly cell: Cell;
  readonly conductor: CellConductor;
  readonly mq: RpcTransport;
  readonly heartbeat: ServiceHeartbeat;
}

/**
 * Cell conductors on their cells' queues (topic `conductor`, the cell mapping's
 * transport URL). `nova-conductor` serves one cell, the one whose database is
 * its `[database] connection`; nova-all serves every cell that has a queue and
 * follows the cell list (a cell added, moved or deleted with nova-manage gets
 * its conductor started, restarted or stopped without a restart). Each serving
 * conductor heartbeats its `nova-conductor` service row in its cell.
 */
@Injectable()
export class CellConductorRunner implements OnModuleDestroy {
  private readonly serving = new Map<string, Serving>();
  private scope: 'none' | 'chosen' | 'every' = 'none';
  /**
   * `nova-conductor`'s cells (its local one, or those named by --cell): served
   * again whenever their mapping changes, whatever happened before.
   */
  private chosen = new Set<string>();
  private listening = false;
  /** Cells whose queue could not be reached, retried until served (or no longer wanted). */
  private readonly retries = new Map<string, NodeJS.Timeout>();
  /** Start/stop operations, one at a time (cell changes arrive concurrently). */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    private readonly router: CellRouter,
    private readonly mappings: InstanceMappings,
    private readonly placement: PlacementService,
    private readonly builds: BuildRequests,
    @Inject(CACHE_BACKEND) private readonly cache: CacheBackend,
  ) {}

  /** `nova-conductor`: serve the local cell. Fails when it is not mapped or its queue is unreachable. */
  async startLocal(): Promise<Cell> {
    const cell = await this.newConductor().localCell();
    await this.startCells([cell.uuid]);
    return cell;
  }

  /**
   * `nova-conductor --cell NAME`...: serve these cells (by name or uuid) in one
   * process, each on its own queue and database as its own conductor would.
   * Fails when one is not mapped, has no queue, or its queue is unreachable.
   */
  async startCells(refs: readonly string[]): Promise<Cell[]> {
    const mapped = await this.router.cells();
    const cells = refs.map((ref) => {
      const cell = mapped.find((c) => c.uuid === ref || c.name === ref);
      if (!cell) {
        throw new Error(`no cell is named or has the uuid ${ref} (nova-manage cell_v2 list_cells)`);
      }
      if (!isServable(cell)) {
        throw new Error(`cell ${cellLabel(cell)} has no message queue: nothing to conduct`);
      }
      return cell;
    });
    this.scope = 'chosen';
    this.chosen = new Set(cells.map((c) => c.uuid));
    await this.serialized(async () => {
      for (const cell of cells) {
        if (!this.serving.has(cell.uuid)) {
          await this.startFor(cell);
        }
      }
    });
    this.follow();
    return cells;
  }

  /**
   * nova-all: serve every cell with a queue, now and as cells come and go. A cell
   * whose queue cannot be reached is logged and skipped (the others still run).
   */
  async startEveryCell(): Promise<Cell[]> {
    this.scope = 'every';
    const cells = (await this.router.cells()).filter(isServable);
    await this.serialized(async () => {
      for (const cell of cells) {
        await this.startFor(cell).catch((err: unknown) =>
          log.error(
            { cell: cellLabel(cell), err: describeError(err) },
            'could not start the cell conductor',
          ),
        );
      }
    });
    this.follow();
    return [...this.serving.values()].map((s) => s.cell);
  }

  /** The conductors running now, by cell uuid. */
  get cells(): Cell[] {
    return [...this.serving.values()].map((s) => s.cell);
  }

  /** The conductor serving a cell (tests, nova-all). */
  conductorOf(cellUuid: string): CellConductor | undefined {
    return this.serving.get(cellUuid)?.conductor;
  }

  async stop(): Promise<void> {
    this.scope = 'none';
    this.retries.forEach(clearTimeout);
    this.retries.clear();
    await this.serialized(async () => {
      for (const uuid of [...this.serving.keys()]) {
        await this.stopFor(uuid);
      }
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  private newConductor(): CellConductor {
    return new CellConductor(
      this.config,
      this.router,
      this.mappings,
      this.placement,
      this.builds,
      this.cache,
    );
  }

  private async startFor(cell: Cell): Promise<void> {
    const conductor = this.newConductor();
    const mq = await openTransport(
      cell.transportUrl,
      this.config.cells.connect_timeout * 1000,
      transportOptions(this.config.oslo_messaging_rabbit),
    );
    try {
      await conductor.start(mq, cell);
    } catch (err) {
      await mq.close().catch(() => undefined);
      throw err;
    }
    const { host, report_interval } = this.config.DEFAULT;
    const heartbeat = new ServiceHeartbeat(
      this.router,
      cell,
      { host, binary: 'nova-conductor', topic: CONDUCTOR_TOPIC },
      report_interval * 1000,
    );
    await heartbeat.start();
    this.serving.set(cell.uuid, { cell, conductor, mq, heartbeat });
    log.info(
      { cell: cellLabel(cell), transport: maskUrl(cell.transportUrl), host },
      'cell conductor started',
    );
  }

  private async stopFor(uuid: string): Promise<void> {
    const serving = this.serving.get(uuid);
    if (!serving) {
      return;
    }
    this.serving.delete(uuid);
    serving.heartbeat.stop();
    await serving.conductor.stop().catch(() => undefined);
    await serving.mq.close().catch(() => undefined);
    log.info({ cell: cellLabel(serving.cell) }, 'cell conductor stopped');
  }

  private follow(): void {
    if (this.listening) {
      return;
    }
    this.listening = true;
    this.router.registry.onChange((change) => {
      void this.serialized(() => this.apply(change)).catch((err: unknown) =>
        log.error(
          { cell: cellLabel(change.cell), change: change.kind, err: describeError(err) },
          'could not follow the cell change',
        ),
      );
    });
  }

  private async apply(change: CellChange): Promise<void> {
    const { cell } = change;
    const running = this.serving.get(cell.uuid);
    if (this.scope === 'none' || (this.scope === 'chosen' && !this.chosen.has(cell.uuid))) {
      return;
    }
    if (change.kind === 'removed') {
      this.cancelRetry(cell.uuid);
      await this.stopFor(cell.uuid);
      return;
    }
    if (running && running.cell.connectionKey === cell.connectionKey) {
      return; // only its name or flags changed
    }
    this.cancelRetry(cell.uuid);
    await this.stopFor(cell.uuid);
    if (isServable(cell)) {
      await this.startFor(cell).catch((err: unknown) => {
        this.retryLater(cell.uuid);
        throw err;
      });
    }
  }

  /**
   * The cell's queue could not be reached: try again every few seconds with
   * its current mapping (the broker may come back, or the URL be corrected).
   */
  private retryLater(uuid: string): void {
    this.cancelRetry(uuid);
    const timer = setTimeout(() => {
      this.retries.delete(uuid);
      void this.serialized(async () => {
        if (this.scope === 'none' || this.serving.has(uuid)) {
          return;
        }
        const cell = await this.router.cell(uuid);
        if (isServable(cell)) {
          await this.startFor(cell);
        }
      }).catch((err: unknown) => {
        log.warn({ cell: uuid, err: describeError(err) }, 'cell conductor still cannot start');
        this.retryLater(uuid);
      });
    }, RETRY_MS);
    timer.unref();
    this.retries.set(uuid, timer);
  }

  private cancelRetry(uuid: string): void {
    clearTimeout(this.retries.get(uuid));
    this.retries.delete(uuid);
  }

  private serialized(fn: () => Promise<void>): Promise<void> {
    const next = this.queue.then(fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** A cell a conductor can serve: not cell0, with a queue (not `none:///`). */
function isServable(cell: Cell): boolean {
  if (isCell0(cell)) {
    return false;
  }
  try {
    return parseTransportUrl(cell.transportUrl).kind !== 'none';
  } catch {
    log.warn(
      { cell: cellLabel(cell), transport: maskUrl(cell.transportUrl) },
      'cell has an invalid transport URL: no conductor for it',
    );
    return false;
  }
}
