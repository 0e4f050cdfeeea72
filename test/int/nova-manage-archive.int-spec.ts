import type { DataSource } from 'typeorm';
import { ApiDatabase, CellMappingRepository } from '@nova/api-db';
import { CellRouter } from '@nova/cell-router';
import { adminContext } from '@nova/common';
import { sqlTimestamp } from '@nova/database';
import {
  count,
  FAMILY_SIZE,
  insertRow,
  ROWS_PER_DELETED_INSTANCE,
  seedApiRecords,
  seedGroup,
  seedInstanceFamily,
  type SeededInstance,
} from '../support/archive-seed';
import type { Sections } from '../support/config';
import { TestDeployment, type Backend } from '../support/deployment';
import { manage } from '../support/manage';

const CHILD_TABLES = Object.keys(ROWS_PER_DELETED_INSTANCE).filter((t) => t !== 'instances');
const LONG_AGO = new Date('2020-03-01T00:00:00Z');

/** The rows of a verbose table (`| name | count |`), as [name, count]. */
function tableRows(out: string): Array<[string, number]> {
  return out
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Table '))
    .map((l) => {
      const [name, n] = l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      return [name, Number(n)];
    });
}

/**
 * db archive_deleted_rows and db purge on a cell database with rows in every
 * table an instance has, deleted and live, and the API records of both.
 */
describe.each<Backend>(['mariadb', 'sqlite'])(
  'nova-manage db archive and purge (%s)',
  (backend) => {
    let d: TestDeployment;
    let cell1: DataSource;
    let cell2: DataSource;
    let api: DataSource;
    let cellIds: Map<string, number>;
    let group: number;
    /** nova-manage with `[database] connection` pointing at a cell. */
    const inCell = (name: string): Sections => ({
      ...d.sections,
      database: { connection: d.cellUrls.get(name)!.db },
    });

    beforeAll(async () => {
      d = await TestDeployment.create({ backend, cells: ['cell1', 'cell2'] });
      const app = await d.app();
      const router = app.get(CellRouter);
      const cells = await app.get(CellMappingRepository).list();
      cellIds = new Map(cells.map((c) => [c.name ?? '', c.id]));
      const db = async (name: string) => {
        const cell = cells.find((c) => c.name === name)!;
        return router.targetCell(adminContext(), await router.cell(cell.uuid)).cell.db();
      };
      [cell1, cell2] = await Promise.all([db('cell1'), db('cell2')]);
      api = await app.get(ApiDatabase).get();
      group = await seedGroup(api);
    }, 120_000);

    afterAll(async () => {
      await d.cleanup();
    });

    /** Delete everything archived or seeded so far (each test seeds its own rows). */
    const wipe = async () => {
      for (const ds of [cell1, cell2]) {
        const tables = await ds.query<Array<{ t: string }>>(
          ds.options.type === 'mysql'
            ? 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()'
            : "SELECT name AS t FROM sqlite_master WHERE type = 'table'",
        );
        for (const { t } of tables) {
          if (t !== 'nova_schema_migrations' && !t.startsWith('sqlite_')) {
            await ds.query(`DELETE FROM ${t}`);
          }
        }
      }
      for (const t of [
        'instance_mappings',
        'request_specs',
        'instance_group_member',
        'build_requests',
      ]) {
        await api.query(`DELETE FROM ${t}`);
      }
    };

    const seed = async (
      ds: DataSource,
      cell: string,
      options: { deletedAt?: Date; buildRequest?: boolean } = {},
    ): Promise<SeededInstance> => {
      const instance = await seedInstanceFamily(ds, options);
      await seedApiRecords(api, cellIds.get(cell)!, instance.uuid, group, options);
      return instance;
    };

    const liveAndShadow = async (ds: DataSource, table: string) => ({
      live: await count(ds, table),
      shadow: await count(ds, `shadow_${table}`),
    });

    describe('archive_deleted_rows', () => {
      let live: SeededInstance;
      let deleted: SeededInstance[];

      beforeAll(async () => {
        await wipe();
        live = await seed(cell1, 'cell1');
        deleted = [
          await seed(cell1, 'cell1', { deletedAt: LONG_AGO, buildRequest: true }),
          await seed(cell1, 'cell1', { deletedAt: LONG_AGO }),
        ];
        // A metadata key the live server lost, a deleted service with its node, and task logs.
        await cell1.query(
          "UPDATE instance_metadata SET deleted = id, deleted_at = ? WHERE instance_uuid = ? AND `key` = 'role'",
          [sqlTimestamp(cell1, LONG_AGO), live.uuid],
        );
        const service = await insertRow(cell1, 'services', {
          uuid: 'c9a1e0b8-0000-4000-8000-000000000001',
          host: 'gone',
          binary: 'nova-compute',
          topic: 'compute',
          deleted: 0,
        });
        await insertRow(cell1, 'compute_nodes', {
          uuid: 'c9a1e0b8-0000-4000-8000-000000000002',
          service_id: service,
          host: 'gone',
          hypervisor_hostname: 'gone',
          vcpus: 1,
          memory_mb: 1,
          local_gb: 1,
          deleted: 0,
        });
        await cell1.query('UPDATE services SET deleted = id, deleted_at = ?', [
          sqlTimestamp(cell1, LONG_AGO),
        ]);
        await cell1.query('UPDATE compute_nodes SET deleted = id, deleted_at = ?', [
          sqlTimestamp(cell1, LONG_AGO),
        ]);
      });

      it('moves deleted rows and their children to the shadow tables, with the API records of archived instances', async () => {
        const result = await manage(inCell('cell1'), 'db', 'archive_deleted_rows', '--verbose');
        expect(result.err).toBe('');
        expect(result.code).toBe(1);
        expect(tableRows(result.out)).toEqual([
          ['API_DB.build_requests', 1],
          ['API_DB.instance_group_member', 2],
          ['API_DB.instance_mappings', 2],
          ['API_DB.request_specs', 2],
          ['block_device_mapping', 2],
          ['compute_nodes', 1],
          ['instance_actions', 2],
          ['instance_actions_events', 4],
          ['instance_extra', 2],
          ['instance_faults', 2],
          ['instance_info_caches', 2],
          ['instance_metadata', 3], // two with their instances, one of the live server
          ['instance_system_metadata', 2],
          ['instances', 2],
          ['migrations', 2],
          ['services', 1],
          ['tags', 2],
          ['virtual_interfaces', 2],
        ]);
        // Nova's layout: left-aligned prettytable.
        expect(result.out.split('\n').slice(0, 3)).toEqual([
          '+------------------------------+-------------------------+',
          '| Table                        | Number of Rows Archived |',
          '+------------------------------+-------------------------+',
        ]);

        for (const table of Object.keys(ROWS_PER_DELETED_INSTANCE)) {
          const column = table === 'instances' ? 'uuid' : table === 'tags' ? 'resource_id' : null;
          if (column) {
            for (const { uuid } of deleted) {
              expect(await count(cell1, table, `${column} = '${uuid}'`)).toBe(0);
              expect(await count(cell1, `shadow_${table}`, `${column} = '${uuid}'`)).toBe(1);
            }
          }
        }
        // The live server keeps every row but the metadata key it lost.
        expect(await count(cell1, 'instances', `uuid = '${live.uuid}'`)).toBe(1);
        for (const table of CHILD_TABLES.filter((t) => t !== 'instance_actions_events')) {
          const column = table === 'tags' ? 'resource_id' : 'instance_uuid';
          const expected = table === 'instance_metadata' ? 0 : ROWS_PER_DELETED_INSTANCE[table];
          expect([table, await count(cell1, table, `${column} = '${live.uuid}'`)]).toEqual([
            table,
            expected,
          ]);
        }
        expect(await liveAndShadow(cell1, 'instance_actions_events')).toEqual({
          live: 2,
          shadow: 4,
        });
        // A shadow row is the row itself, every column.
        const [shadowed] = await cell1.query<Array<Record<string, unknown>>>(
          `SELECT id, uuid, display_name, host, deleted FROM shadow_instances WHERE uuid = '${deleted[0].uuid}'`,
        );
        expect(shadowed).toEqual({
          id: deleted[0].id,
          uuid: deleted[0].uuid,
          display_name: `server-${deleted[0].uuid.slice(0, 8)}`,
          host: 'compute-1',
          deleted: deleted[0].id,
        });
        // API: the archived instances' records are gone, the live server's stay.
        for (const table of ['instance_mappings', 'request_specs', 'instance_group_member']) {
          expect(await count(api, table, `instance_uuid = '${live.uuid}'`)).toBe(1);
          expect(await count(api, table)).toBe(1);
        }
        expect(await count(api, 'build_requests')).toBe(0);
      });

      it('archives nothing the second time (exit 0)', async () => {
        expect(await manage(inCell('cell1'), 'db', 'archive_deleted_rows', '--verbose')).toEqual({
          code: 0,
          out: 'Nothing was archived.',
          err: '',
        });
        expect(await manage(inCell('cell1'), 'db', 'archive_deleted_rows')).toEqual({
          code: 0,
          out: '',
          err: '',
        });
      });

      it('verify_instance no longer finds an archived instance', async () => {
        const result = await manage(
          d.sections,
          'cell_v2',
          'verify_instance',
          '--uuid',
          deleted[0].uuid,
        );
        expect(result.code).toBe(1);
      });
    });

    describe('batches, dates and task logs', () => {
      beforeEach(wipe);

      it('--max_rows is a soft total: each instance leaves whole; --until-complete runs batches to the end', async () => {
        const families = [];
        for (let i = 0; i < 3; i++) {
          families.push(await seed(cell1, 'cell1', { deletedAt: LONG_AGO }));
        }
        const one = await manage(inCell('cell1'), 'db', 'archive_deleted_rows', '--max_rows', '5');
        expect(one.code).toBe(1);
        // The first instance (lowest id) went with all its rows; the others did not move.
        expect(await count(cell1, 'shadow_instances')).toBe(1);
        expect(await count(cell1, 'shadow_instances', `uuid = '${families[0].uuid}'`)).toBe(1);
        expect(await count(cell1, 'instances')).toBe(2);
        const moved = await Promise.all(
          Object.keys(ROWS_PER_DELETED_INSTANCE).map((t) => count(cell1, `shadow_${t}`)),
        );
        expect(moved.reduce((a, b) => a + b, 0)).toBe(FAMILY_SIZE);

        const rest = await manage(
          inCell('cell1'),
          'db',
          'archive_deleted_rows',
          '--max_rows',
          '5',
          '--until-complete',
          '--verbose',
        );
        expect(rest.code).toBe(1);
        const [progress] = rest.out.split('\n');
        // One dot per batch that moved rows: one instance per batch here.
        expect(progress).toBe('Archiving.....complete'); // 'Archiving..', a dot per batch, '.complete'
        expect(tableRows(rest.out)).toContainEqual(['instances', 2]);
        expect(await count(cell1, 'instances')).toBe(0);
        expect(await count(cell1, 'shadow_instances')).toBe(3);
      });

      it('--before archives only rows deleted before the date', async () => {
        const old = await seed(cell1, 'cell1', { deletedAt: LONG_AGO });
        const recent = await seed(cell1, 'cell1', { deletedAt: new Date() });
        const result = await manage(
          inCell('cell1'),
          'db',
          'archive_deleted_rows',
          '--before',
          '2021-01-01',
          '--verbose',
        );
        expect(result.code).toBe(1);
        expect(tableRows(result.out)).toContainEqual(['instances', 1]);
        expect(await count(cell1, 'shadow_instances', `uuid = '${old.uuid}'`)).toBe(1);
        expect(await count(cell1, 'instances', `uuid = '${recent.uuid}'`)).toBe(1);
        expect(await count(cell1, 'instance_actions', `instance_uuid = '${recent.uuid}'`)).toBe(1);
        expect(await count(api, 'instance_mappings', `instance_uuid = '${recent.uuid}'`)).toBe(1);
      });

      it('--task-log archives task_log rows updated before --before; without it they stay', async () => {
        const log = (period: string, updated: Date) =>
          insertRow(cell1, 'task_log', {
            task_name: 'instance_usage_audit',
            state: 'DONE',
            host: 'compute-1',
            period_beginning: new Date(`${period}-01T00:00:00Z`),
            period_ending: new Date(`${period}-02T00:00:00Z`),
            message: 'done',
            created_at: updated,
            updated_at: updated,
            deleted: 0,
          });
        await log('2020-01', LONG_AGO);
        await log('2030-01', new Date());
        expect((await manage(inCell('cell1'), 'db', 'archive_deleted_rows')).code).toBe(0);
        expect(await liveAndShadow(cell1, 'task_log')).toEqual({ live: 2, shadow: 0 });
        const result = await manage(
          inCell('cell1'),
          'db',
          'archive_deleted_rows',
          '--task-log',
          '--before',
          'Sun Mar  1 00:00:00 UTC 2026',
          '--verbose',
        );
        expect(result.code).toBe(1);
        expect(tableRows(result.out)).toEqual([['task_log', 1]]);
        expect(await liveAndShadow(cell1, 'task_log')).toEqual({ live: 1, shadow: 1 });
      });

      it('--all-cells archives every cell, rows named cell.table', async () => {
        await seed(cell1, 'cell1', { deletedAt: LONG_AGO });
        await seed(cell2, 'cell2', { deletedAt: LONG_AGO });
        await seed(cell2, 'cell2');
        const result = await manage(
          d.sections,
          'db',
          'archive_deleted_rows',
          '--all-cells',
          '--verbose',
        );
        expect(result.code).toBe(1);
        const rows = tableRows(result.out);
        expect(rows.slice(0, 3)).toEqual([
          ['API_DB.instance_group_member', 2],
          ['API_DB.instance_mappings', 2],
          ['API_DB.request_specs', 2],
        ]);
        expect(rows).toContainEqual(['cell1.instances', 1]);
        expect(rows).toContainEqual(['cell2.instances', 1]);
        expect(rows).toContainEqual(['cell2.instance_actions_events', 2]);
        // Sorted by cell, then table.
        const names = rows.map(([name]) => name);
        expect(names).toEqual([...names].sort());
        expect(await count(cell2, 'instances')).toBe(1);
        expect(await count(api, 'instance_mappings')).toBe(1);
      });

      it('--purge empties the shadow tables once rows were archived', async () => {
        await seed(cell1, 'cell1', { deletedAt: LONG_AGO });
        const result = await manage(
          inCell('cell1'),
          'db',
          'archive_deleted_rows',
          '--purge',
          '--verbose',
        );
        expect(result.code).toBe(1);
        expect(result.out).toContain('Rows were archived, running purge...');
        expect(result.out).toContain(
          'DB: Deleted 1 rows from shadow_instances based on timestamp column (n/a)',
        );
        expect(await count(cell1, 'shadow_instances')).toBe(0);
        expect(await count(cell1, 'shadow_instance_actions_events')).toBe(0);
      });
    });

    describe('never a row in both tables or in neither', () => {
      beforeEach(wipe);

      it('a failed move rolls the whole instance back: nothing leaves, nothing is copied', async () => {
        const victim = await seed(cell1, 'cell1', { deletedAt: LONG_AGO });
        // A shadow row already holding the id of the victim's fault makes its copy fail.
        const [fault] = await cell1.query<Array<Record<string, unknown>>>(
          `SELECT * FROM instance_faults WHERE instance_uuid = '${victim.uuid}'`,
        );
        await insertRow(cell1, 'shadow_instance_faults', fault);
        const result = await manage(inCell('cell1'), 'db', 'archive_deleted_rows', '--verbose');
        expect(result.code).toBe(255);
        expect(result.out).toMatch(
          /^ERROR: Could not archive \[database\] connection: .*(Duplicate entry|UNIQUE constraint failed)/,
        );
        for (const table of Object.keys(ROWS_PER_DELETED_INSTANCE)) {
          expect([table, await count(cell1, `shadow_${table}`)]).toEqual([
            table,
            table === 'instance_faults' ? 1 : 0,
          ]);
        }
        expect(await count(cell1, 'instances', `uuid = '${victim.uuid}'`)).toBe(1);
        expect(await count(cell1, 'instance_actions_events')).toBe(2);
        expect(await count(api, 'instance_mappings', `instance_uuid = '${victim.uuid}'`)).toBe(1);
      });

      it('two archives racing move every row exactly once', async () => {
        for (let i = 0; i < 6; i++) {
          await seed(cell1, 'cell1', { deletedAt: LONG_AGO });
        }
        const runs = await Promise.all([
          manage(
            inCell('cell1'),
            'db',
            'archive_deleted_rows',
            '--max_rows',
            '20',
            '--until-complete',
            '--verbose',
          ),
          manage(
            inCell('cell1'),
            'db',
            'archive_deleted_rows',
            '--max_rows',
            '20',
            '--until-complete',
            '--verbose',
          ),
        ]);
        for (const run of runs) {
          expect(run.err).toBe('');
          expect([0, 1]).toContain(run.code);
        }
        const reported = runs
          .flatMap((r) => tableRows(r.out))
          .filter(([name]) => name === 'instances')
          .reduce((n, [, c]) => n + c, 0);
        expect(reported).toBe(6);
        for (const [table, perInstance] of Object.entries(ROWS_PER_DELETED_INSTANCE)) {
          expect([table, await liveAndShadow(cell1, table)]).toEqual([
            table,
            { live: 0, shadow: 6 * perInstance },
          ]);
        }
      });

      it('a shadow table missing a column stops the archive before anything moves', async () => {
        await seed(cell2, 'cell2', { deletedAt: LONG_AGO });
        await cell2.query('ALTER TABLE shadow_instance_extra DROP COLUMN security_groups');
        try {
          const result = await manage(inCell('cell2'), 'db', 'archive_deleted_rows');
          expect(result.code).toBe(255);
          expect(result.out).toBe(
            'ERROR: Could not archive [database] connection: Table shadow_instance_extra lacks column(s) security_groups of instance_extra: the migration that added them must add them to shadow_instance_extra too',
          );
          expect(await count(cell2, 'instances')).toBe(1);
          expect(await count(cell2, 'shadow_instances')).toBe(0);
        } finally {
          await cell2.query(
            'ALTER TABLE shadow_instance_extra ADD COLUMN security_groups TEXT NULL',
          );
        }
      });
    });

    describe('purge', () => {
      beforeAll(async () => {
        await wipe();
        await seed(cell1, 'cell1', { deletedAt: LONG_AGO });
        await seed(cell2, 'cell2', { deletedAt: new Date() });
        expect((await manage(d.sections, 'db', 'archive_deleted_rows', '--all-cells')).code).toBe(
          1,
        );
      });

      it('needs --before or --all (exit 1); a bad --before exits 2', async () => {
        expect(await manage(inCell('cell1'), 'db', 'purge')).toEqual({
          code: 1,
          out: 'Either --before or --all is required',
          err: '',
        });
        expect(await manage(inCell('cell1'), 'db', 'purge', '--before', 'someday')).toEqual({
          code: 2,
          out: 'Invalid value for --before: String does not contain a date: someday',
          err: '',
        });
      });

      it('--before deletes shadow rows older than the date by their age column; nothing to purge exits 3', async () => {
        expect(
          (await manage(d.sections, 'db', 'purge', '--all-cells', '--before', '2019-01-01')).code,
        ).toBe(3);
        const result = await manage(
          d.sections,
          'db',
          'purge',
          '--all-cells',
          '--before',
          '2021-01-01',
          '--verbose',
        );
        expect(result.code).toBe(0);
        const lines = result.out.split('\n');
        const cell1Label = lines.find((l) => l.includes('shadow_instances'))!.split(': ')[0];
        expect(cell1Label).toMatch(/^Cell cell1\([0-9a-f-]{36}\)$/);
        expect(lines).toContain(
          `${cell1Label}: Deleted 1 rows from shadow_instances based on timestamp column deleted_at`,
        );
        expect(lines).toContain(
          `${cell1Label}: Unable to purge table shadow_tags because it has no timestamp column`,
        );
        expect(await count(cell1, 'shadow_instances')).toBe(0);
        // Actions are aged by created_at (now): they stay, like tags.
        expect(await count(cell1, 'shadow_instance_actions')).toBe(1);
        expect(await count(cell1, 'shadow_tags')).toBe(1);
        expect(await count(cell2, 'shadow_instances')).toBe(1);
      });

      it('--all empties the shadow tables of [database] connection', async () => {
        const result = await manage(inCell('cell2'), 'db', 'purge', '--all', '--verbose');
        expect(result.code).toBe(0);
        expect(result.out.split('\n')).toContain(
          'DB: Deleted 1 rows from shadow_instances based on timestamp column (n/a)',
        );
        for (const table of Object.keys(ROWS_PER_DELETED_INSTANCE)) {
          expect(await count(cell2, `shadow_${table}`)).toBe(0);
        }
        expect((await manage(inCell('cell2'), 'db', 'purge', '--all')).code).toBe(3);
      });
    });

    describe('exit codes', () => {
      it('a negative or too large --max_rows exits 2 with Nova message; a non-integer is a usage error', async () => {
        expect(await manage(d.sections, 'db', 'archive_deleted_rows', '--max_rows', '-1')).toEqual({
          code: 2,
          out: 'Must supply a positive value for max_rows',
          err: '',
        });
        expect(
          await manage(d.sections, 'db', 'archive_deleted_rows', '--max_rows', '2147483648'),
        ).toEqual({ code: 2, out: 'max rows must be <= 2147483647', err: '' });
        const usage = await manage(d.sections, 'db', 'archive_deleted_rows', '--max_rows', 'many');
        expect(usage.code).toBe(2);
        expect(usage.err).toContain("invalid int value: 'many'");
      });

      it('a bad --before exits 4', async () => {
        expect(
          await manage(d.sections, 'db', 'archive_deleted_rows', '--before', '2024-13-01'),
        ).toEqual({
          code: 4,
          out: 'Invalid value for --before: month must be in 1..12: 2024-13-01',
          err: '',
        });
      });

      it('an unreachable API database exits 3 (archive) and 4 (purge --all-cells)', async () => {
        const noApi = {
          ...d.sections,
          api_database: { connection: 'mysql+pymysql://nova:nova@127.0.0.1:1/nova_api' },
          cells: { ...d.sections['cells'], connect_timeout: '1' },
        };
        expect(await manage(noApi, 'db', 'archive_deleted_rows')).toEqual({
          code: 3,
          out: 'Failed to connect to API DB so aborting this archival attempt. Please check your config file to make sure that [api_database]/connection is set and run this command again.',
          err: '',
        });
        expect(await manage(noApi, 'db', 'purge', '--all', '--all-cells')).toEqual({
          code: 4,
          out: 'Unable to get cell list from API DB. Is it configured?',
          err: '',
        });
      });
    });

    it('every soft-deleted cell table has a shadow table with all its columns', async () => {
      const columns = async (table: string): Promise<string[]> =>
        (
          await cell1.query<Array<{ c: string }>>(
            cell1.options.type === 'mysql'
              ? `SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${table}'`
              : `SELECT name AS c FROM pragma_table_info('${table}')`,
          )
        )
          .map((r) => r.c)
          .sort();
      const tables = (
        await cell1.query<Array<{ t: string }>>(
          cell1.options.type === 'mysql'
            ? 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()'
            : "SELECT name AS t FROM sqlite_master WHERE type = 'table'",
        )
      ).map((r) => r.t);
      const softDeleted = [];
      for (const table of tables.filter((t) => !t.startsWith('shadow_'))) {
        if ((await columns(table)).includes('deleted')) {
          softDeleted.push(table);
        }
      }
      expect(softDeleted.length).toBeGreaterThanOrEqual(14);
      for (const table of [...softDeleted, 'tags']) {
        expect([table, await columns(`shadow_${table}`)]).toEqual([table, await columns(table)]);
      }
    });
  },
);
