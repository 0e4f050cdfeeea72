import type { DataSource, QueryRunner } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import type { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';

type QueryResult = ReturnType<BetterSqlite3QueryRunner['query']>;

/** A FIFO lock: acquire() resolves with the function that releases it. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => held);
    return previous.then(() => release);
  }
}

/**
 * TypeORM's better-sqlite3 driver hands every caller the same query runner on
 * the one connection, so two concurrent transactions collide ("cannot start a
 * transaction within a transaction") and a query issued during someone else's
 * transaction silently becomes part of it. This gives each operation its own
 * runner on the shared connection and serializes access: a transaction holds a
 * lock from BEGIN to COMMIT/ROLLBACK, and other queries wait for it. Prepared
 * statements stay shared.
 */
export function serializeSqliteAccess(dataSource: DataSource): void {
  if (dataSource.driver.options.type !== 'better-sqlite3') {
    return;
  }
  const driver = dataSource.driver as BetterSqlite3Driver;
  const lock = new Mutex();
  const statements = new Map<string, unknown>();
  driver.createQueryRunner = (): QueryRunner => {
    const runner = new SerializedSqliteRunner(driver, lock);
    (runner as unknown as { stmtCache: Map<string, unknown> }).stmtCache = statements;
    return runner;
  };
}

class SerializedSqliteRunner extends BetterSqlite3QueryRunner {
  private unlock?: () => void;

  constructor(
    driver: BetterSqlite3Driver,
    private readonly lock: Mutex,
  ) {
    super(driver);
  }

  override async startTransaction(isolationLevel?: IsolationLevel): Promise<void> {
    if (this.transactionDepth === 0 && !this.unlock) {
      this.unlock = await this.lock.acquire();
    }
    try {
      await super.startTransaction(isolationLevel);
    } catch (err) {
      if (this.transactionDepth === 0) {
        this.free();
      }
      throw err;
    }
  }

  override async commitTransaction(): Promise<void> {
    try {
      await super.commitTransaction();
    } finally {
      if (this.transactionDepth === 0) {
        this.free();
      }
    }
  }

  override async rollbackTransaction(): Promise<void> {
    try {
      await super.rollbackTransaction();
    } finally {
      if (this.transactionDepth === 0) {
        this.free();
      }
    }
  }

  override async query(
    query: string,
    parameters?: unknown[],
    useStructuredResult?: boolean,
  ): QueryResult {
    if (this.unlock) {
      return super.query(query, parameters, useStructuredResult); // inside our own transaction
    }
    const unlock = await this.lock.acquire();
    try {
      return await super.query(query, parameters, useStructuredResult);
    } finally {
      unlock();
    }
  }

  override async release(): Promise<void> {
    if (this.isTransactionActive) {
      await super.rollbackTransaction().catch(() => undefined); // abandoned mid-transaction
    }
    this.free();
    await super.release();
  }

  private free(): void {
    const unlock = this.unlock;
    this.unlock = undefined;
    unlock?.();
  }
}
