import type { DataSource } from 'typeorm';
import { CellUnreachable, Invalid } from '@nova/common';
import {
  closeDataSource,
  latestVersion,
  meterQueries,
  openDataSource,
  poolUsage,
  ReplicaReads,
  replicaUrlFor,
  schemaVersion,
} from '@nova/database';
import type { CellConnectionReport } from '@nova/metrics';
import { createTransport, type RpcTransport, type TransportOptions } from '@nova/rpc';
import type { Cell } from './cell';
import type { CellDbSchema } from './cell-db-schema';

export interface ConnectionSettings {
  readonly schema: CellDbSchema;
  readonly dbPoolSize: number;
  readonly dbIdleMs: number;
  readonly connectTimeoutMs: number;
  readonly transport: TransportOptions;
}

/** Counters the tests and benchmarks read; they never decrease. */
export class ConnectionStats {
  dataSourcesOpened = 0;
  dataSourcesClosed = 0;
  transportsOpened = 0;
  transportsClosed = 0;
  readonly openedByCell = new Map<string, number>();
}

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;

/**
 * One cell's database pool and queue connection, each opened on first use.
 * Concurrent first callers share the opening promise (single flight). After a
 * failure, callers fail fast for a growing back-off instead of each waiting for a
 * connect timeout against a dead cell.
 */
export class CellConnection {
  lastUsed = Date.now();
  private db?: Promise<DataSource>;
  /** The pool once open (for its usage figures). */
  private openDs?: DataSource;
  private mq?: Promise<RpcTransport>;
  /** The cell's read replica (null: none), decided on the first read. */
  private replica?: ReplicaReads | null;
  private dbFailure?: Failure;
  private mqFailure?: Failure;
  private closed = false;

  constructor(
    readonly cell: Cell,
    private readonly settings: ConnectionSettings,
    private readonly stats: ConnectionStats,
  ) {}

  get key(): string {
    return this.cell.connectionKey;
  }

  dataSource(): Promise<DataSource> {
    this.lastUsed = Date.now();
    if (this.closed) {
      return Promise.reject(new CellUnreachable(this.cell.uuid, 'database', 'connection closed'));
    }
    if (!this.db) {
      const failing = this.dbFailure?.active();
      if (failing) {
        return Promise.reject(failing);
      }
      this.db = this.openDb().then(
        (ds) => {
          this.dbFailure = undefined;
          this.openDs = ds;
          return ds;
        },
        (err: unknown) => {
          this.db = undefined;
          const error =
            err instanceof Invalid ? err : new CellUnreachable(this.cell.uuid, 'database', err);
          this.dbFailure = Failure.after(this.dbFailure, error);
          throw error;
        },
      );
    }
    return this.db;
  }

  /**
   * Run a read that may lag (a list) on the cell's read replica when it has one,
   * else on its primary (see ReplicaReads).
   */
  read<T>(fn: (ds: DataSource) => Promise<T>): Promise<T> {
    if (this.replica === undefined) {
      const url = replicaUrlFor(
        this.cell.databaseConnection,
        this.cell.replicaConnection,
        `cell ${this.cell.name ?? this.cell.uuid}`,
      );
      this.replica =
        url && !this.closed ? new ReplicaReads(url, (u) => this.openReplica(u), this.label) : null;
    }
    // The primary is opened (and its schema checked) first: a refused cell is refused for lists too.
    return this.replica
      ? this.dataSource().then(() =>
          (this.replica as ReplicaReads).run(() => this.dataSource(), fn),
        )
      : this.dataSource().then(fn);
  }

  transport(): Promise<RpcTransport> {
    this.lastUsed = Date.now();
    if (this.closed) {
      return Promise.reject(
        new CellUnreachable(this.cell.uuid, 'message queue', 'connection closed'),
      );
    }
    if (!this.mq) {
      const failing = this.mqFailure?.active();
      if (failing) {
        return Promise.reject(failing);
      }
      this.mq = this.openMq().then(
        (t) => {
          this.mqFailure = undefined;
          return t;
        },
        (err: unknown) => {
          this.mq = undefined;
          const error =
            err instanceof Invalid
              ? err
              : new CellUnreachable(this.cell.uuid, 'message queue', err);
          this.mqFailure = Failure.after(this.mqFailure, error);
          throw error;
        },
      );
    }
    return this.mq;
  }

  /** True while a pool or connection is open or opening. */
  get isOpen(): boolean {
    return this.db !== undefined || this.mq !== undefined;
  }

  /**
   * The state metrics report: refused (the schema is behind), backing_off (the
   * last attempt failed: callers fail fast, then retry), open, opening, or closed.
   */
  report(): CellConnectionReport {
    const cell = this.cell.name ?? this.cell.uuid;
    // The last attempt's failure, even past its back-off: the next caller retries.
    const dbFailing = this.dbFailure?.error;
    const failing = dbFailing ?? this.mqFailure?.error;
    let state: string;
    if (this.closed) {
      state = 'closed';
    } else if (dbFailing instanceof Invalid) {
      state = 'refused';
    } else if (failing) {
      state = 'backing_off';
    } else if (this.openDs) {
      state = 'open';
    } else if (this.db || this.mq) {
      state = 'opening';
    } else {
      state = 'closed';
    }
    const pool = this.openDs && !this.closed ? poolUsage(this.openDs) : undefined;
    return pool ? { cell, state, pool } : { cell, state };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.openDs = undefined;
    await this.replica?.close();
    const [db, mq] = await Promise.all([
      this.db?.catch(() => undefined),
      this.mq?.catch(() => undefined),
    ]);
    this.db = undefined;
    this.mq = undefined;
    if (db) {
      await closeDataSource(db);
      this.stats.dataSourcesClosed++;
    }
    if (mq) {
      await mq.close();
      this.stats.transportsClosed++;
    }
  }

  private get label(): string {
    return this.cell.name ?? this.cell.uuid;
  }

  private async openReplica(url: string): Promise<DataSource> {
    const { schema, dbPoolSize, dbIdleMs, connectTimeoutMs } = this.settings;
    const ds = await openDataSource(url, {
      entities: schema.entities,
      poolSize: dbPoolSize,
      connectTimeoutMs,
      idleTimeoutMs: dbIdleMs,
    });
    meterQueries(ds, `${this.label}_replica`);
    return ds;
  }

  private async openDb(): Promise<DataSource> {
    const { schema, dbPoolSize, dbIdleMs, connectTimeoutMs } = this.settings;
    const ds = await openDataSource(this.cell.databaseConnection, {
      entities: schema.entities,
      poolSize: dbPoolSize,
      connectTimeoutMs,
      idleTimeoutMs: dbIdleMs,
    });
    meterQueries(ds, this.cell.name ?? this.cell.uuid);
    this.stats.dataSourcesOpened++;
    this.stats.openedByCell.set(
      this.cell.uuid,
      (this.stats.openedByCell.get(this.cell.uuid) ?? 0) + 1,
    );
    // Refuse to serve a cell whose schema is behind: its queries would fail oddly later.
    const have = await schemaVersion(ds).catch(() => 0);
    const want = latestVersion(schema.migrations);
    if (have < want) {
      await closeDataSource(ds);
      this.stats.dataSourcesClosed++;
      throw new Invalid(
        `Cell ${this.cell.uuid} database schema is at version ${have}, expected ${want}: run "nova-manage db sync"`,
      );
    }
    if (this.closed) {
      await closeDataSource(ds);
      this.stats.dataSourcesClosed++;
    }
    return ds;
  }

  private async openMq(): Promise<RpcTransport> {
    const transport = createTransport(this.cell.transportUrl, this.settings.transport);
    await transport.connect(this.settings.connectTimeoutMs);
    this.stats.transportsOpened++;
    return transport;
  }
}

class Failure {
  private constructor(
    readonly error: Error,
    private readonly until: number,
    readonly backoffMs: number,
  ) {}

  static after(previous: Failure | undefined, error: Error): Failure {
    const backoff = previous ? Math.min(previous.backoffMs * 2, MAX_BACKOFF_MS) : FIRST_BACKOFF_MS;
    return new Failure(error, Date.now() + backoff, backoff);
  }

  active(): Error | undefined {
    return Date.now() < this.until ? this.error : undefined;
  }
}
