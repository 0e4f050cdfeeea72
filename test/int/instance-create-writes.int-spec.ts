import { randomUUID } from 'node:crypto';
import { InstanceWriter, ServerReader } from '@nova/cells/db';
import { adminContext, type RequestContext } from '@nova/common';
import { insertRows } from '@nova/database';
import type { DataSource } from 'typeorm';
import { buildFields } from '../support/build-fields';
import { cellWithQueryLog } from '../support/cell-statements';
import type { TestDeployment, Backend } from '../support/deployment';

/**
 * What a build writes in its cell: the instance (its compute node looked up
 * within the INSERT), its records and its 'create' action in one transaction
 * (one round trip on MariaDB),
 * and no statement that reads back what was just inserted (TypeORM's
 * Repository.insert() re-selects defaulted columns).
 */
describe.each<Backend>(['mariadb', 'sqlite'])('instance create writes (%s)', (backend) => {
  let d: TestDeployment;
  let ds: DataSource;
  let statements: string[];

  beforeAll(async () => {
    ({ d, ds, sent: statements } = await cellWithQueryLog(backend));
  });

  afterAll(async () => {
    await d.cleanup();
  });

  const fields = (uuid: string) =>
    buildFields(uuid, {
      display_name: 'writes',
      project_id: 'project-w',
      user_id: 'user-w',
      hostname: 'writes',
      metadata: { role: 'db' },
      tags: ['a'],
    });
  const placement = {
    host: 'host-w',
    node: 'host-w',
    availability_zone: null,
    vm_state: 'building',
    task_state: 'scheduling',
  };

  it('writes the instance, its records and its create action without reading back', async () => {
    const uuid = randomUUID();
    const ctx: RequestContext = { ...adminContext(), requestId: 'req-writes-1', userId: 'user-w' };
    statements.length = 0;
    const id = await new InstanceWriter(ds).create(fields(uuid), placement, [], ctx);
    // On MariaDB the transaction is one query (see batchedTransaction).
    if (backend === 'mariadb') {
      expect(statements).toHaveLength(1);
    }
    statements.splice(0, statements.length, ...statements.flatMap((q) => q.split(';\n')));
    expect(statements.filter((q) => /^SELECT/i.test(q))).toEqual([]);
    // The compute node's id is looked up inside the INSERT, not set by an UPDATE after it.
    expect(statements.filter((q) => /^UPDATE/i.test(q))).toEqual([]);
    expect(statements.find((q) => /^INSERT INTO .instances./i.test(q))).toMatch(
      /SELECT cn\.id FROM compute_nodes/,
    );

    const [row] = await ds.query<Array<{ id: number }>>('SELECT id FROM instances WHERE uuid = ?', [
      uuid,
    ]);
    expect(Number(row.id)).toBe(id);
    const actions = await ds.query<Array<{ action: string; request_id: string; user_id: string }>>(
      'SELECT action, request_id, user_id FROM instance_actions WHERE instance_uuid = ?',
      [uuid],
    );
    expect(actions).toEqual([{ action: 'create', request_id: 'req-writes-1', user_id: 'user-w' }]);
    for (const table of ['instance_extra', 'instance_info_caches', 'instance_metadata']) {
      const n = await ds.query<Array<{ n: number }>>(
        `SELECT COUNT(*) AS n FROM ${table} WHERE instance_uuid = ?`,
        [uuid],
      );
      expect([table, Number(n[0].n)]).toEqual([table, 1]);
    }
  });

  it('reads a server back with its records in one round trip on MariaDB', async () => {
    const uuid = randomUUID();
    await new InstanceWriter(ds).create(fields(uuid), placement, [], adminContext());
    statements.length = 0;
    const server = await new ServerReader(ds, 'cell1-uuid').get(uuid);
    expect(server).toMatchObject({ uuid, metadata: { role: 'db' }, tags: ['a'] });
    expect(statements).toHaveLength(backend === 'mariadb' ? 1 : 2);
  });

  it('records no action when none is asked for', async () => {
    const uuid = randomUUID();
    await new InstanceWriter(ds).create(fields(uuid), placement, []);
    const actions = await ds.query<unknown[]>(
      'SELECT id FROM instance_actions WHERE instance_uuid = ?',
      [uuid],
    );
    expect(actions).toEqual([]);
  });

  it('insertRows returns the generated id of the first row, as the database numbered it', async () => {
    const uuid = randomUUID();
    const first = await insertRows(ds, 'instance_faults', {
      instance_uuid: uuid,
      code: 500,
      message: 'one',
      created_at: new Date(),
      deleted: 0,
    });
    const second = await insertRows(ds, 'instance_faults', {
      instance_uuid: uuid,
      code: 500,
      message: 'two',
      created_at: new Date(),
      deleted: 0,
    });
    const rows = await ds.query<Array<{ id: number; message: string }>>(
      'SELECT id, message FROM instance_faults WHERE instance_uuid = ? ORDER BY id',
      [uuid],
    );
    expect(rows.map((r) => [Number(r.id), r.message])).toEqual([
      [first, 'one'],
      [second, 'two'],
    ]);
  });
});
