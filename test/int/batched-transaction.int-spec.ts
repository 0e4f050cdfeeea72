import { randomUUID } from 'node:crypto';
import { batchedRead, batchedTransaction, type Statement } from '@nova/database';
import type { DataSource } from 'typeorm';
import { cellWithQueryLog } from '../support/cell-statements';
import type { TestDeployment, Backend } from '../support/deployment';

/**
 * batchedTransaction on a real cell database: a batch is one query on MariaDB,
 * and a failure anywhere (a statement, or the work between batches) leaves
 * nothing written and no transaction open on the pooled connection.
 */
describe.each<Backend>(['mariadb', 'sqlite'])('batchedTransaction (%s)', (backend) => {
  let d: TestDeployment;
  let ds: DataSource;
  let sent: string[];

  beforeAll(async () => {
    ({ d, ds, sent: sent } = await cellWithQueryLog(backend));
  });

  afterAll(async () => {
    await d.cleanup();
  });

  const fault = (uuid: string, message: string): Statement => ({
    sql: 'INSERT INTO instance_faults (instance_uuid, code, message, deleted) VALUES (?, ?, ?, 0)',
    params: [uuid, 500, message],
  });
  const messages = async (uuid: string) =>
    (
      await ds.query<Array<{ message: string }>>(
        'SELECT message FROM instance_faults WHERE instance_uuid = ? ORDER BY id',
        [uuid],
      )
    ).map((r) => r.message);

  it('commits a batch, answering each statement’s generated id and row count', async () => {
    const uuid = randomUUID();
    sent.length = 0;
    const [first, second, touched] = await batchedTransaction(ds, (tx) =>
      tx.send(
        [
          fault(uuid, 'one'),
          fault(uuid, 'two'),
          { sql: 'UPDATE instance_faults SET code = 409 WHERE instance_uuid = ?', params: [uuid] },
        ],
        { commit: true },
      ),
    );
    const queries = [...sent];
    expect(await messages(uuid)).toEqual(['one', 'two']);
    const ids = await ds.query<Array<{ id: number }>>(
      'SELECT id FROM instance_faults WHERE instance_uuid = ? ORDER BY id',
      [uuid],
    );
    expect([first.insertId, second.insertId]).toEqual(ids.map((r) => Number(r.id)));
    expect(touched.affected).toBe(2);
    // MariaDB: START TRANSACTION, the statements and COMMIT went as one query.
    if (backend === 'mariadb') {
      expect(queries).toHaveLength(1);
      expect(queries[0]).toMatch(/^START TRANSACTION;\nINSERT[\s\S]*;\nCOMMIT$/);
    }
  });

  it('a failing statement rolls back the whole batch and leaves no transaction open', async () => {
    const uuid = randomUUID();
    // better-sqlite3's error is from another realm than jest's Error: matched by message.
    await expect(
      batchedTransaction(ds, (tx) =>
        tx.send(
          [
            fault(uuid, 'written first'),
            { sql: 'INSERT INTO no_such_table VALUES (1)', params: [] },
          ],
          { commit: true },
        ),
      ),
    ).rejects.toMatchObject({ message: expect.stringMatching(/no.such.table/) });
    // A transaction left open on the pooled connection would be committed by
    // the next one's START TRANSACTION: the first row would appear.
    for (let i = 0; i < 3; i++) {
      await batchedTransaction(ds, (tx) =>
        tx.send([fault(randomUUID(), 'later')], { commit: true }),
      );
    }
    expect(await messages(uuid)).toEqual([]);
  });

  it('work that throws between batches rolls back what was sent', async () => {
    const uuid = randomUUID();
    await expect(
      batchedTransaction(ds, async (tx) => {
        const [written] = await tx.send([fault(uuid, 'sent, not committed')]);
        expect(written.affected).toBe(1);
        throw new Error('a compare-and-swap missed');
      }),
    ).rejects.toThrow('a compare-and-swap missed');
    await batchedTransaction(ds, (tx) => tx.send([fault(randomUUID(), 'later')], { commit: true }));
    expect(await messages(uuid)).toEqual([]);
  });

  it('commits on return when no batch asked to, and refuses statements after a commit', async () => {
    const uuid = randomUUID();
    await batchedTransaction(ds, async (tx) => {
      await tx.send([fault(uuid, 'one')]);
      await tx.send([fault(uuid, 'two')]);
    });
    expect(await messages(uuid)).toEqual(['one', 'two']);
    await expect(
      batchedTransaction(ds, async (tx) => {
        await tx.send([fault(uuid, 'three')], { commit: true });
        await tx.send([fault(uuid, 'four')]);
      }),
    ).rejects.toThrow(/after the transaction committed/);
  });

  it('batchedRead answers each statement’s rows in order, in one query on MariaDB', async () => {
    const uuid = randomUUID();
    await batchedTransaction(ds, (tx) =>
      tx.send([fault(uuid, 'one'), fault(uuid, 'two')], { commit: true }),
    );
    sent.length = 0;
    const [byMessage, count, none] = await batchedRead(ds, [
      {
        sql: 'SELECT message FROM instance_faults WHERE instance_uuid = ? ORDER BY id',
        params: [uuid],
      },
      { sql: 'SELECT COUNT(*) AS n FROM instance_faults WHERE instance_uuid = ?', params: [uuid] },
      { sql: 'SELECT message FROM instance_faults WHERE instance_uuid = ?', params: ['none'] },
    ]);
    expect(byMessage).toEqual([{ message: 'one' }, { message: 'two' }]);
    expect(Number(count[0]?.['n'])).toBe(2);
    expect(none).toEqual([]);
    expect(sent).toHaveLength(backend === 'mariadb' ? 1 : 3);
  });
});
