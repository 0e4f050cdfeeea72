import { sleep } from '@nova/common';
import { closeDataSource, isDeadlockError, writeTransaction } from '@nova/database';
import type { DataSource, EntityManager } from 'typeorm';
import { uniqueId } from '../support/env';
import { dropDatabases, openTestDatabase } from '../support/mysql';

/**
 * A real lock cycle on MariaDB: two transactions update the same two rows in
 * opposite orders, so InnoDB rolls one back (as Galera does on a certification
 * conflict, with the same error). writeTransaction runs the victim again.
 */
describe('write transactions retried on deadlock (MariaDB)', () => {
  const name = uniqueId('wretry');
  let ds: DataSource;

  beforeAll(async () => {
    ds = await openTestDatabase(name, { poolSize: 4, idleTimeoutMs: 10_000 });
    await ds.query('CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB');
  });

  beforeEach(async () => {
    await ds.query('DELETE FROM counters');
    await ds.query('INSERT INTO counters (id, n) VALUES (1, 0), (2, 0)');
  });

  afterAll(async () => {
    await closeDataSource(ds);
    await dropDatabases([name]);
  });

  /** Each transaction locks `first`, waits until the other holds its row, then takes `second`. */
  const crossing = (
    run: (work: (tx: EntityManager) => Promise<void>) => Promise<void>,
  ): Promise<PromiseSettledResult<void>[]> => {
    let holding = 0;
    const bump = (first: number, second: number) =>
      run(async (tx) => {
        await tx.query('UPDATE counters SET n = n + 1 WHERE id = ?', [first]);
        holding += 1;
        const started = Date.now();
        while (holding < 2 && Date.now() - started < 2000) {
          await sleep(5);
        }
        await tx.query('UPDATE counters SET n = n + 1 WHERE id = ?', [second]);
      });
    return Promise.allSettled([bump(1, 2), bump(2, 1)]);
  };

  it('a plain transaction loses the lock cycle with a deadlock error', async () => {
    const results = await crossing((work) => ds.transaction(work));
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(isDeadlockError(failed[0]?.reason)).toBe(true);
  });

  it('writeTransaction runs the victim again: both commit, every increment counted once', async () => {
    const results = await crossing((work) => writeTransaction(ds, work));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const rows = await ds.query<Array<{ id: number; n: number }>>(
      'SELECT id, n FROM counters ORDER BY id',
    );
    expect(rows.map((r) => Number(r.n))).toEqual([2, 2]);
  });
});
