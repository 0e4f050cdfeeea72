import { sleep } from '@nova/common';
import { closeDataSource, poolUsage } from '@nova/database';
import type { DataSource } from 'typeorm';
import { uniqueId } from '../support/env';
import { connectionsAfterClose, dropDatabases, openTestDatabase } from '../support/mysql';

/**
 * A MariaDB pool keeps its connections while they are used and closes them
 * once idle for `connection_recycle_time` (idleTimeoutMs), not sooner: mysql2's
 * own timer closed every free connection above half the pool each second,
 * so a steady load of more concurrent queries than that reconnected all along.
 */
describe('pooled MariaDB connections close when idle, not while in use', () => {
  const name = uniqueId('idlepool');
  const idleTimeoutMs = 3000;
  let ds: DataSource;

  beforeAll(async () => {
    ds = await openTestDatabase(name, { poolSize: 4, idleTimeoutMs });
  });

  afterAll(async () => {
    await closeDataSource(ds);
    await dropDatabases([name]);
  });

  /** Four queries at once, one per pooled connection: the server's ids of the connections. */
  const burst = async (): Promise<number[]> => {
    const rows = await Promise.all(
      Array.from({ length: 4 }, () =>
        ds.query<Array<{ id: number | string }>>('SELECT CONNECTION_ID() AS id, SLEEP(0.05) AS s'),
      ),
    );
    return rows.map((r) => Number(r[0]?.id));
  };

  it('reuses the same four connections under a steady load, then closes them once idle', async () => {
    const first = await burst();
    expect(new Set(first).size).toBe(4);

    const seen = new Set(first);
    const until = Date.now() + 2500; // past two ticks of mysql2's one-second timer
    while (Date.now() < until) {
      await sleep(200);
      (await burst()).forEach((id) => seen.add(id));
    }
    expect([...seen].sort()).toEqual([...first].sort());
    expect(poolUsage(ds)).toEqual({ used: 0, idle: 4, waiting: 0 });

    await sleep(idleTimeoutMs + idleTimeoutMs / 2 + 500);
    expect(poolUsage(ds)).toEqual({ used: 0, idle: 0, waiting: 0 });
    expect(await connectionsAfterClose(name)).toBe(0);
  });
});
