import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** One SQL statement with its `?` parameters. */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** What a write statement did. */
export interface StatementResult {
  readonly affected: number;
  /** The generated id of an INSERT (its first row's), else 0. */
  readonly insertId: number;
}

/** The statements of one transaction, sent a batch at a time. */
export interface StatementBatches {
  /**
   * Run `statements` in order. With `commit`, the transaction commits with
   * them (on MySQL in the same round trip); nothing may be sent after.
   */
  send(
    statements: readonly Statement[],
    options?: { commit?: boolean },
  ): Promise<StatementResult[]>;
}

/**
 * A write transaction whose statements go in batches: on MySQL each batch is
 * one round trip (START TRANSACTION rides on the first, COMMIT on the last),
 * where TypeORM's transaction sends each statement and the commit alone. On
 * this machine a round trip to an idle server costs more than the statement
 * does, so a five-statement insert became one. On SQLite (in process, no
 * round trips) the statements run one by one in an ordinary transaction.
 *
 * `work` decides between batches (a compare-and-swap that missed throws, and
 * everything rolls back). It may run more than once under retryOnDeadlock,
 * so it must touch nothing but `tx`.
 */
export async function batchedTransaction<T>(
  ds: DataSource,
  work: (tx: StatementBatches) => Promise<T>,
): Promise<T> {
  if (ds.options.type !== 'mysql') {
    return ds.transaction((manager) => work(oneByOne(manager)));
  }
  const runner = ds.createQueryRunner('master');
  const tx = new MysqlBatches(runner);
  try {
    const result = await work(tx);
    await tx.finish();
    return result;
  } catch (err) {
    await tx.abandon();
    throw err;
  } finally {
    await runner.release();
  }
}

/** SQLite: each statement alone, within TypeORM's transaction. */
function oneByOne(manager: EntityManager): StatementBatches {
  const runner = manager.queryRunner!;
  let committed = false;
  return {
    async send(statements, { commit = false } = {}) {
      if (committed) {
        throw new Error('statements sent after the transaction committed');
      }
      committed = commit; // TypeORM commits when the work returns
      const results: StatementResult[] = [];
      for (const { sql, params } of statements) {
        const out = (await runner.query(sql, [...params], true)) as {
          affected?: number;
          raw: unknown;
        };
        results.push({ affected: out.affected ?? 0, insertId: Number(out.raw ?? 0) || 0 });
      }
      return results;
    },
  };
}

/**
 * MySQL: a batch is the statements joined into one multi-statement query (the
 * pool allows them; every value still goes through mysql2's escaping as a `?`
 * parameter). The server stops at the first failing statement and leaves the
 * transaction open, so a failure rolls it back on the same connection.
 */
class MysqlBatches implements StatementBatches {
  private state: 'idle' | 'open' | 'committed' = 'idle';

  constructor(private readonly runner: QueryRunner) {}

  async send(
    statements: readonly Statement[],
    { commit = false }: { commit?: boolean } = {},
  ): Promise<StatementResult[]> {
    if (this.state === 'committed') {
      throw new Error('statements sent after the transaction committed');
    }
    const begin = this.state === 'idle';
    const sql = [
      ...(begin ? ['START TRANSACTION'] : []),
      ...statements.map((s) => s.sql),
      ...(commit ? ['COMMIT'] : []),
    ];
    this.state = 'open';
    const raw = (await this.runner.query(
      sql.join(';\n'),
      statements.flatMap((s) => s.params),
    )) as unknown;
    if (commit) {
      this.state = 'committed';
    }
    // One statement answers a header; several answer one per statement.
    const headers = sql.length === 1 ? [raw] : (raw as unknown[]);
    return headers
      .slice(begin ? 1 : 0, begin ? 1 + statements.length : statements.length)
      .map((h) => {
        const header = h as { affectedRows?: number; insertId?: number };
        return { affected: header.affectedRows ?? 0, insertId: header.insertId ?? 0 };
      });
  }

  async finish(): Promise<void> {
    if (this.state === 'open') {
      await this.runner.query('COMMIT');
      this.state = 'committed';
    }
  }

  async abandon(): Promise<void> {
    if (this.state === 'open') {
      this.state = 'idle';
      await this.runner.query('ROLLBACK').catch(() => undefined); // a dead connection rolled back
    }
  }
}
