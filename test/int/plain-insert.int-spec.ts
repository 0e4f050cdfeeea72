import { randomUUID } from 'node:crypto';
import { Instance, InstanceAction, InstanceMetadata } from '@nova/cells/db';
import { insertRows, insertStatement } from '@nova/database';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { cellWithQueryLog } from '../support/cell-statements';
import type { TestDeployment } from '../support/deployment';

/**
 * insertRows and insertStatement write plain rows on MySQL without TypeORM's
 * query builder: what they store must be what TypeORM's own insert stores,
 * column for column (dates, booleans, nulls, text), and rows that are not
 * plain (a value left to the database's default, SQL expressions) still go
 * through TypeORM.
 */
describe('plain inserts (mariadb)', () => {
  let d: TestDeployment;
  let ds: DataSource;
  let sent: string[];

  beforeAll(async () => {
    ({ d, ds, sent } = await cellWithQueryLog('mariadb'));
  });

  afterAll(async () => {
    await d.cleanup();
  });

  /** Every column of the rows `where` selects, without the generated id. */
  const stored = async (table: string, where: string, params: unknown[]) =>
    (
      await ds.query<Array<Record<string, unknown>>>(
        `SELECT * FROM ${table} WHERE ${where}`,
        params,
      )
    ).map(({ id: _id, ...rest }) => rest);

  /** The same row inserted by TypeORM's repository and by insertRows, read back. */
  const both = async <E extends ObjectLiteral>(
    entity: EntityTarget<E>,
    row: (tag: string) => Record<string, unknown>,
    table: string,
    column: string,
  ) => {
    const [theirs, ours] = [randomUUID(), randomUUID()];
    await ds.getRepository(entity).insert(row(theirs) as never);
    sent.length = 0;
    await insertRows(ds, entity, row(ours) as never);
    const sql = [...sent];
    const read = (tag: string) => stored(table, `${column} = ?`, [tag]);
    const [a, b] = [await read(theirs), await read(ours)];
    return {
      sql,
      theirs: a.map((r) => ({ ...r, [column]: 'x' })),
      ours: b.map((r) => ({ ...r, [column]: 'x' })),
    };
  };

  it('stores an instance exactly as TypeORM does, in one INSERT naming only the given columns', async () => {
    const now = new Date('2026-12-07T10:11:12.345Z');
    const { sql, theirs, ours } = await both(
      Instance,
      (uuid) => ({
        uuid,
        project_id: 'p',
        user_id: null,
        vm_state: 'building',
        locked: true,
        auto_disk_config: false,
        launched_at: now,
        created_at: now,
        deleted: 0,
        user_data: 'ünïcode ✓',
        vcpus: 2,
      }),
      'instances',
      'uuid',
    );
    expect(ours).toEqual(theirs);
    expect(ours).toHaveLength(1);
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(
      /^INSERT INTO `instances`\(`uuid`, `project_id`, .*`vcpus`\) VALUES \(\?/,
    );
  });

  it('stores several rows in one statement, and answers the first generated id', async () => {
    const uuid = randomUUID();
    const rows = ['a', 'b', 'c'].map((key) => ({
      instance_uuid: uuid,
      key,
      value: key.toUpperCase(),
      created_at: new Date(),
      deleted: 0,
    }));
    const first = await insertRows(ds, InstanceMetadata, rows);
    const ids = await ds.query<Array<{ id: number; key: string }>>(
      'SELECT id, `key` FROM instance_metadata WHERE instance_uuid = ? ORDER BY id',
      [uuid],
    );
    expect(ids.map((r) => r.key)).toEqual(['a', 'b', 'c']);
    expect(first).toBe(Number(ids[0]?.id));
  });

  it('leaves rows that are not plain to TypeORM', async () => {
    const uuid = randomUUID();
    const action = {
      action: 'create',
      instance_uuid: uuid,
      request_id: 'req-1',
      start_time: new Date(),
      created_at: new Date(),
      deleted: 0,
    };
    // A value left undefined: TypeORM writes DEFAULT for it.
    const partial = insertStatement(ds, InstanceAction, { ...action, message: undefined });
    expect(partial.sql).toMatch(/DEFAULT/);
    // Rows of different columns, and a value given as SQL.
    expect(insertStatement(ds, InstanceAction, [action, { ...action, message: 'x' }]).sql).toMatch(
      /DEFAULT/,
    );
    const expr = insertStatement(ds, InstanceAction, { ...action, user_id: () => "'sql'" });
    expect(expr.sql).toMatch(/'sql'/);
    await ds.query(expr.sql, [...expr.params]);
    expect(await stored('instance_actions', 'instance_uuid = ?', [uuid])).toEqual([
      expect.objectContaining({ user_id: 'sql', request_id: 'req-1' }),
    ]);
  });
});
