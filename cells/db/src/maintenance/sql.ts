import type { DataSource } from 'typeorm';
import { retryOnDeadlock } from '@nova/database';

/** A statement run inside a maintenance transaction: rows for a SELECT, `affected` for a write. */
export type Run = (
  sql: string,
  params?: readonly unknown[],
) => Promise<{ rows: Array<Record<string, unknown>>; affected: number }>;

/**
 * Run `fn` in one transaction on its own connection; a deadlock victim is run
 * again from the start (it was rolled back whole). On SQLite the transaction
 * takes the write lock first, with a write that changes nothing: a deferred
 * transaction that reads before it writes cannot wait for another writer and
 * fails at once with SQLITE_BUSY instead.
 */
export function inTransaction<T>(
  ds: DataSource,
  fn: (run: Run) => Promise<T>,
  lockTable?: string,
): Promise<T> {
  return retryOnDeadlock(async () => {
    const runner = ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const run: Run = async (sql, params = []) => {
      const result = await runner.query(sql, [...params], true);
      return {
        rows: Array.isArray(result.records)
          ? (result.records as Array<Record<string, unknown>>)
          : [],
        affected: result.affected ?? 0,
      };
    };
    try {
      if (lockTable && isSqlite(ds)) {
        await run(`DELETE FROM ${quote(ds, lockTable)} WHERE 1 = 0`);
      }
      const value = await fn(run);
      await runner.commitTransaction();
      return value;
    } catch (err) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  });
}

export function isSqlite(ds: DataSource): boolean {
  return ds.options.type === 'better-sqlite3';
}

export function quote(ds: DataSource, name: string): string {
  return ds.driver.escape(name);
}

/** Values in slices small enough for one statement's parameters on every engine. */
export function chunks<T>(values: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) {
    out.push(values.slice(i, i + size));
  }
  return out;
}
