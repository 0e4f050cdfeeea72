import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { CellRouter, type CellContext } from '@nova/cell-router';
import { cellDb } from '@nova/cells/db';
import { adminContext } from '@nova/common';
import { count, insertRow } from '../support/archive-seed';
import { buildFields } from '../support/build-fields';
import { TestDeployment, type Backend } from '../support/deployment';
import { manage } from '../support/manage';
import { dropDatabases } from '../support/mysql';
import { seedComputes } from '../support/seed';

/** An instance as older releases left it: on a host, without compute_id. */
const seedInstance = (ds: DataSource, host: string | null, deleted = false) =>
  insertRow(ds, 'instances', {
    uuid: randomUUID(),
    project_id: 'project-a',
    user_id: 'user-a',
    host,
    node: host,
    vm_state: 'active',
    created_at: new Date(),
    deleted: deleted ? 1 : 0,
  });

const nodeId = async (ds: DataSource, host: string): Promise<number> => {
  const [row] = await ds.query<Array<{ id: number }>>(
    'SELECT id FROM compute_nodes WHERE host = ? AND deleted = 0',
    [host],
  );
  return Number(row.id);
};

const computeIds = async (ds: DataSource, host: string | null): Promise<Array<number | null>> =>
  (
    await ds.query<Array<{ compute_id: number | string | null }>>(
      `SELECT compute_id FROM instances WHERE deleted = 0 AND ${host === null ? 'host IS NULL' : 'host = ?'} ORDER BY id`,
      host === null ? [] : [host],
    )
  ).map((r) => (r.compute_id === null ? null : Number(r.compute_id)));

/** The data rows of the Migration | Total Needed | Completed table. */
const migrationRows = (out: string): string[][] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.includes('Total Needed'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );

/** db online_data_migrations across cells: populate_instance_compute_id, batches, exit codes. */
describe.each<Backend>(['mariadb', 'sqlite'])(
  'nova-manage db online_data_migrations (%s)',
  (backend) => {
    let d: TestDeployment;
    let router: CellRouter;
    let cell1: CellContext;
    let cell2: CellContext;
    let ds1: DataSource;
    let ds2: DataSource;

    beforeAll(async () => {
      d = await TestDeployment.create({ backend, cells: ['cell1', 'cell2'] });
      router = (await d.app()).get(CellRouter);
      const cells = (await router.cells()).filter((c) => c.name !== 'cell0');
      [cell1, cell2] = cells.map((c) => router.targetCell(adminContext(), c)) as [
        CellContext,
        CellContext,
      ];
      [ds1, ds2] = await Promise.all([cell1.cell.db(), cell2.cell.db()]);
      await seedComputes(cell1, ['host-a']);
      await seedComputes(cell2, ['host-b']);
      for (let i = 0; i < 3; i++) {
        await seedInstance(ds1, 'host-a');
      }
      await seedInstance(ds1, 'host-a', true); // deleted: left alone
      await seedInstance(ds1, 'vanished'); // its node is gone: found, never done
      await seedInstance(ds1, null); // never scheduled: nothing to do
      await seedInstance(ds2, 'host-b');
      await seedInstance(ds2, 'host-b');
    }, 120_000);

    afterAll(async () => {
      await d.cleanup();
    });

    it('refuses a --max-count that is not a positive integer (127)', async () => {
      for (const bad of ['0', '-3', 'lots']) {
        expect(
          await manage(d.sections, 'db', 'online_data_migrations', '--max-count', bad),
        ).toEqual({
          code: 127,
          out: 'Must supply a positive value for max_number',
          err: '',
        });
      }
    });

    it('--max-count migrates at most that many and exits 1 while work was done', async () => {
      const result = await manage(d.sections, 'db', 'online_data_migrations', '--max-count', '2');
      expect(result.code).toBe(1);
      expect(result.out.split('\n')[0]).toBe(
        '2 rows matched query populate_instance_compute_id, 2 migrated',
      );
      expect(migrationRows(result.out)).toEqual([['populate_instance_compute_id', '2', '2']]);
      const a = await nodeId(ds1, 'host-a');
      expect(await computeIds(ds1, 'host-a')).toEqual([a, a, null]);
      expect(await computeIds(ds2, 'host-b')).toEqual([null, null]);
    });

    it('without --max-count runs batches of 50 over every cell until nothing more can be done (0)', async () => {
      const result = await manage(d.sections, 'db', 'online_data_migrations');
      expect(result.code).toBe(0);
      expect(result.out.split('\n').slice(0, 3)).toEqual([
        'Running batches of 50 until complete',
        '4 rows matched query populate_instance_compute_id, 3 migrated',
        '1 rows matched query populate_instance_compute_id, 0 migrated',
      ]);
      expect(result.out.split('\n').slice(3)).toEqual([
        '+------------------------------+--------------+-----------+',
        '|          Migration           | Total Needed | Completed |',
        '+------------------------------+--------------+-----------+',
        '| populate_instance_compute_id |      5       |     3     |',
        '+------------------------------+--------------+-----------+',
      ]);
      const [a, b] = [await nodeId(ds1, 'host-a'), await nodeId(ds2, 'host-b')];
      expect(await computeIds(ds1, 'host-a')).toEqual([a, a, a]);
      expect(await computeIds(ds2, 'host-b')).toEqual([b, b]);
      expect(await computeIds(ds1, 'vanished')).toEqual([null]);
      expect(await computeIds(ds1, null)).toEqual([null]);
      expect(await count(ds1, 'instances', 'deleted != 0 AND compute_id IS NOT NULL')).toBe(0);
    });

    it('the writers set compute_id themselves: on create and when the node changes', async () => {
      const db = await cellDb(cell1);
      const uuid = randomUUID();
      const fields = buildFields(uuid);
      const placement = { availability_zone: null, vm_state: 'building', task_state: null };
      await db.writer.create(fields, { ...placement, host: 'host-a', node: 'host-a' }, []);
      const computeId = async () =>
        (
          await ds1.query<Array<{ c: number | null }>>(
            'SELECT compute_id AS c FROM instances WHERE uuid = ?',
            [uuid],
          )
        ).map((r) => (r.c === null ? null : Number(r.c)))[0];
      expect(await computeId()).toBe(await nodeId(ds1, 'host-a'));
      await seedComputes(cell1, ['host-c']);
      await db.writer.compareAndSwap(uuid, 'any', { host: 'host-c', node: 'host-c' });
      expect(await computeId()).toBe(await nodeId(ds1, 'host-c'));
      await db.writer.compareAndSwap(uuid, 'any', { vm_state: 'active' }); // no node change: kept
      expect(await computeId()).toBe(await nodeId(ds1, 'host-c'));
      await db.writer.compareAndSwap(uuid, 'any', { host: null, node: null });
      expect(await computeId()).toBeNull();
      // So a new instance on a reported node needs no migration.
      const result = await manage(d.sections, 'db', 'online_data_migrations', '--max-count', '10');
      expect(migrationRows(result.out)).toEqual([['populate_instance_compute_id', '1', '0']]);
      expect(result.code).toBe(0);
    });

    it('a cell that cannot be reached makes the migration fail (2)', async () => {
      const out = await manage(
        d.sections,
        'cell_v2',
        'create_cell',
        '--name',
        'cell3',
        '--database_connection',
        d.dbUrl('cell3'),
        '--transport-url',
        await d.mqUrl('cell3'),
        '--verbose',
      );
      expect(out.code).toBe(0);
      expect((await manage(d.sections, 'db', 'sync')).code).toBe(0);
      if (backend === 'mariadb') {
        await dropDatabases([d.dbName('cell3')]);
      } else {
        rmSync(d.dbUrl('cell3').replace('sqlite:///', ''), { force: true });
      }
      const result = await manage(d.sections, 'db', 'online_data_migrations');
      expect(result.code).toBe(2);
      const lines = result.out.split('\n');
      expect(lines).toContain('Error attempting to run populate_instance_compute_id');
      expect(lines[lines.length - 1]).toBe(
        'Some migrations failed unexpectedly. Check log for details.',
      );
    });
  },
);
