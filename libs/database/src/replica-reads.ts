import type { DataSource } from 'typeorm';
import { describeError, maskUrl } from '@nova/common';
import { getLogger } from '@nova/logging';
import { closeDataSource } from './data-source';
import { parseSqlUrl } from './sql-url';

const log = getLogger('database.replica');

/** After the replica failed, reads go to the primary this long before it is tried again. */
export const REPLICA_RETRY_MS = 10_000;

/**
 * The replica URL to use for a primary, or undefined: none configured, or a SQLite
 * primary (a file has no replicas; said once in the log by the caller's `where`).
 */
export function replicaUrlFor(
  primaryUrl: string,
  replicaUrl: string | undefined,
  where: string,
): string | undefined {
  if (!replicaUrl) {
    return undefined;
  }
  if (parseSqlUrl(primaryUrl).kind === 'sqlite') {
    log.warn(
      { where, replica: maskUrl(replicaUrl) },
      'slave_connection ignored: the primary is SQLite, which has no replicas; every read uses the primary',
    );
    return undefined;
  }
  return replicaUrl;
}

/**
 * Reads that may be served by a read replica (oslo.db's `slave_connection`): list
 * reads that tolerate lag. The replica's pool opens on first use. While it cannot
 * be reached (or lacks the schema), reads go to the primary and it is tried again
 * after REPLICA_RETRY_MS. Only reads are ever given the replica's DataSource.
 */
export class ReplicaReads {
  private opening?: Promise<DataSource>;
  private downUntil = 0;
  private closed = false;

  constructor(
    readonly url: string,
    private readonly open: (url: string) => Promise<DataSource>,
    private readonly label: string,
  ) {}

  /** Run the read `fn` on the replica, or on `primary()` while the replica is unusable. */
  async run<T>(primary: () => Promise<DataSource>, fn: (ds: DataSource) => Promise<T>): Promise<T> {
    if (this.closed || Date.now() < this.downUntil) {
      return fn(await primary());
    }
    let replica: DataSource;
    try {
      replica = await this.dataSource();
    } catch (err) {
      this.down(err);
      return fn(await primary());
    }
    try {
      return await fn(replica);
    } catch (err) {
      if (!isReplicaUnusable(err)) {
        throw err;
      }
      this.down(err);
      return fn(await primary());
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const ds = await this.opening?.catch(() => undefined);
    this.opening = undefined;
    await closeDataSource(ds);
  }

  private dataSource(): Promise<DataSource> {
    this.opening ??= this.open(this.url).then(
      async (ds) => {
        if (this.closed) {
          await closeDataSource(ds);
        }
        return ds;
      },
      (err: unknown) => {
        this.opening = undefined;
        throw err;
      },
    );
    return this.opening;
  }

  private down(err: unknown): void {
    this.downUntil = Date.now() + REPLICA_RETRY_MS;
    log.warn(
      { database: this.label, replica: maskUrl(this.url), err: describeError(err) },
      `read replica unusable; reading from the primary for ${REPLICA_RETRY_MS / 1000} s`,
    );
  }
}

/** Connection codes of mysql2/Node, and MySQL errnos of a replica without the database or schema yet. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);
const UNUSABLE_ERRNOS = new Set([
  1040, // too many connections
  1045, // access denied
  1049, // unknown database
  1054, // unknown column: the replica's schema is behind
  1146, // no such table: likewise
]);

/** True when an error says the replica cannot answer (not that the read itself is wrong). */
export function isReplicaUnusable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) {
    return false;
  }
  const e = err as { code?: unknown; errno?: unknown; driverError?: { code?: unknown } };
  return (
    CONNECTION_CODES.has(String(e.code)) ||
    CONNECTION_CODES.has(String(e.driverError?.code)) ||
    (typeof e.errno === 'number' && UNUSABLE_ERRNOS.has(e.errno)) ||
    /Pool is closed/i.test(String((err as { message?: unknown }).message))
  );
}
