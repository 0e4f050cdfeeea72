import { randomUUID } from 'node:crypto';
import { InstanceMappingRepository } from '@nova/api-db';
import { CellRouter, type Cell, type CellContext } from '@nova/cell-router';
import { Instance } from '@nova/cells/db';
import { adminContext } from '@nova/common';
import { runNovaManage } from '../../apps/nova-manage/src/run-nova-manage';
import { TestDeployment, type Backend } from '../support/deployment';
import { manage, manageOk } from '../support/manage';
import { seedComputes, seedInstances, seedServices } from '../support/seed';
import { runBin } from '../support/spawn';

/** discover_hosts, list_hosts, delete_host, map_instances, verify_instance, simple_cell_setup. */
describe.each<Backend>(['mariadb', 'sqlite'])('nova-manage hosts and instances (%s)', (backend) => {
  let d: TestDeployment;
  let router: CellRouter;
  const uuids = new Map<string, string>();

  beforeAll(async () => {
    d = await TestDeployment.create({ backend, cells: [] });
    uuids.set('cell1', await d.addCell('cell1'));
    uuids.set('cell2', await d.addCell('cell2'));
    router = (await d.app()).get(CellRouter);
  });

  afterAll(async () => {
    await d.cleanup();
  });

  const ctxOf = async (name: string): Promise<CellContext> =>
    router.targetCell(adminContext(), await router.cell(uuids.get(name) as string));
  const hostRows = async (...args: string[]): Promise<string[][]> =>
    (await manageOk(d.sections, 'cell_v2', 'list_hosts', ...args))
      .split('\n')
      .slice(3, -1)
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      );

  describe('discover_hosts', () => {
    it('maps unmapped compute nodes of every cell, verbosely', async () => {
      await seedComputes(await ctxOf('cell1'), ['compute-a', 'compute-b']);
      await seedComputes(await ctxOf('cell2'), ['compute-c']);
      const result = await manage(d.sections, 'cell_v2', 'discover_hosts', '--verbose');
      expect(result.code).toBe(0);
      const lines = result.out.split('\n');
      expect(lines[0]).toBe('Found 3 cell mappings.');
      expect(lines[1]).toBe('Skipping cell0 since it does not contain hosts.');
      expect(lines).toContain(`Getting computes from cell 'cell1': ${uuids.get('cell1')}`);
      expect(
        lines.filter((l) => l.startsWith("Creating host mapping for compute host 'compute-a': ")),
      ).toHaveLength(1);
      expect(lines).toContain(`Found 2 unmapped computes in cell: ${uuids.get('cell1')}`);
      expect(lines).toContain(`Found 1 unmapped computes in cell: ${uuids.get('cell2')}`);
      expect(await hostRows()).toEqual([
        ['cell1', uuids.get('cell1'), 'compute-a'],
        ['cell1', uuids.get('cell1'), 'compute-b'],
        ['cell2', uuids.get('cell2'), 'compute-c'],
      ]);
    });

    it('with --strict exits 1 when nothing new was found, 0 when something was', async () => {
      expect(await manage(d.sections, 'cell_v2', 'discover_hosts', '--strict')).toEqual({
        code: 1,
        out: '',
        err: '',
      });
      await seedComputes(await ctxOf('cell2'), ['compute-d']);
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'discover_hosts',
          '--strict',
          '--cell_uuid',
          uuids.get('cell2') as string,
        ),
      ).toEqual({ code: 0, out: '', err: '' });
    });

    it('--by-service maps hosts that have a nova-compute service', async () => {
      await seedServices(await ctxOf('cell1'), ['service-only']);
      const result = await manage(
        d.sections,
        'cell_v2',
        'discover_hosts',
        '--by-service',
        '--verbose',
        '--cell_uuid',
        uuids.get('cell1') as string,
      );
      expect(result.code).toBe(0);
      expect(result.out.split('\n')).toContain('Creating host mapping for service service-only');
      expect(
        (await hostRows('--cell_uuid', uuids.get('cell1') as string)).map((r) => r[2]),
      ).toContain('service-only');
    });

    it('an unknown --cell_uuid is an error (255) in one line', async () => {
      expect(await manage(d.sections, 'cell_v2', 'discover_hosts', '--cell_uuid', 'nope')).toEqual({
        code: 255,
        out: 'Cell nope has no mapping.',
        err: '',
      });
    });

    it('two discoveries racing map every host exactly once; a loser reports the duplicate (exit 2)', async () => {
      const hosts = Array.from({ length: 30 }, (_, i) => `race-${String(i).padStart(2, '0')}`);
      await seedComputes(await ctxOf('cell2'), hosts);
      const results = await Promise.all([
        manage(d.sections, 'cell_v2', 'discover_hosts'),
        manage(d.sections, 'cell_v2', 'discover_hosts'),
      ]);
      for (const r of results) {
        expect([0, 2]).toContain(r.code);
        if (r.code === 2) {
          expect(r.out).toMatch(
            /^ERROR: Duplicate host mapping was encountered\. .* Error: Host 'race-\d+' mapping already exists$/,
          );
        }
      }
      await manageOk(d.sections, 'cell_v2', 'discover_hosts'); // whatever a loser skipped
      const mapped = (await hostRows()).map((r) => r[2]).filter((h) => h?.startsWith('race-'));
      expect(mapped).toEqual(hosts);
    });

    it('shows a progress bar when scanning many cells on a terminal', async () => {
      for (const name of ['cell3', 'cell4', 'cell5']) {
        uuids.set(name, await d.addCell(name));
      }
      let drawn = '';
      const code = await runNovaManage(['cell_v2', 'discover_hosts'], {
        io: {
          out: () => undefined,
          err: () => undefined,
          progress: Object.assign({
            write: (s: string) => ((drawn += s), true),
            isTTY: true,
            columns: 120,
          }) as unknown as NodeJS.WritableStream,
        },
        env: {},
        overrides: d.sections,
      });
      expect(code).toBe(0);
      expect(drawn).toMatch(/Discovering hosts \|.*\| 6\/6 cells/);
    });
  });

  describe('list_hosts and delete_host', () => {
    it('list_hosts of an unknown cell exits 1', async () => {
      expect(await manage(d.sections, 'cell_v2', 'list_hosts', '--cell_uuid', 'nope')).toEqual({
        code: 1,
        out: 'Cell with uuid nope was not found.',
        err: '',
      });
    });

    it('delete_host reports each error case, then deletes', async () => {
      const cell1 = uuids.get('cell1') as string;
      const cell2 = uuids.get('cell2') as string;
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'delete_host',
          '--cell_uuid',
          'nope',
          '--host',
          'compute-a',
        ),
      ).toEqual({ code: 1, out: 'Cell with uuid nope was not found.', err: '' });
      expect(
        await manage(d.sections, 'cell_v2', 'delete_host', '--cell_uuid', cell1, '--host', 'ghost'),
      ).toEqual({ code: 2, out: 'The host ghost was not found.', err: '' });
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'delete_host',
          '--cell_uuid',
          cell2,
          '--host',
          'compute-a',
        ),
      ).toEqual({
        code: 3,
        out: `The host compute-a was not found in the cell ${cell2}.`,
        err: '',
      });
      await seedInstances(await ctxOf('cell1'), 1, { host: 'compute-a' });
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'delete_host',
          '--cell_uuid',
          cell1,
          '--host',
          'compute-a',
        ),
      ).toEqual({ code: 4, out: 'There are instances on the host compute-a.', err: '' });
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'delete_host',
          '--cell_uuid',
          cell1,
          '--host',
          'compute-b',
        ),
      ).toEqual({ code: 0, out: '', err: '' });
      expect((await hostRows()).map((r) => r[2])).not.toContain('compute-b');
      // Its node is unmapped again, so discovery maps it anew.
      expect(
        (await manage(d.sections, 'cell_v2', 'discover_hosts', '--verbose', '--cell_uuid', cell1))
          .out,
      ).toContain("Creating host mapping for compute host 'compute-b'");
      expect((await manage(d.sections, 'cell_v2', 'delete_host', '--cell_uuid', cell1)).code).toBe(
        2,
      ); // --host is required
    });
  });

  describe('delete_cell with hosts and instances', () => {
    it('refuses hosts (2), live instances (3), stale mappings (4); --force clears the rest', async () => {
      const cell = uuids.get('cell3') as string;
      const ctx = await ctxOf('cell3');
      await seedComputes(ctx, ['doomed-host']);
      await manageOk(d.sections, 'cell_v2', 'discover_hosts', '--cell_uuid', cell);
      expect(await manage(d.sections, 'cell_v2', 'delete_cell', '--cell_uuid', cell)).toEqual({
        code: 2,
        out: `There are existing hosts mapped to cell with uuid ${cell}.`,
        err: '',
      });
      const [live] = await seedInstances(ctx, 1);
      await manageOk(d.sections, 'cell_v2', 'map_instances', '--cell_uuid', cell);
      expect(
        await manage(d.sections, 'cell_v2', 'delete_cell', '--cell_uuid', cell, '--force'),
      ).toEqual({
        code: 3,
        out: `There are existing instances mapped to cell with uuid ${cell}.`,
        err: '',
      });
      await (
        await ctx.cell.db()
      )
        .getRepository(Instance)
        .update({ uuid: live }, { deleted: 1, deleted_at: new Date() });
      await manageOk(
        d.sections,
        'cell_v2',
        'delete_host',
        '--cell_uuid',
        cell,
        '--host',
        'doomed-host',
      );
      const stale = await manage(d.sections, 'cell_v2', 'delete_cell', '--cell_uuid', cell);
      expect(stale.code).toBe(4);
      expect(stale.out).toBe(
        `There are instance mappings to cell with uuid ${cell}, but all instances have been deleted in the cell.\nSo execute 'nova-manage db archive_deleted_rows' to delete the instance mappings.`,
      );
      await manageOk(d.sections, 'cell_v2', 'discover_hosts', '--cell_uuid', cell);
      expect(
        await manage(d.sections, 'cell_v2', 'delete_cell', '--cell_uuid', cell, '--force'),
      ).toEqual({ code: 0, out: '', err: '' });
      expect(await manage(d.sections, 'cell_v2', 'verify_instance', '--uuid', live)).toMatchObject({
        code: 1,
      });
      expect((await hostRows()).map((r) => r[2])).not.toContain('doomed-host');
    });
  });

  describe('map_instances', () => {
    it('maps all instances in batches, or --max-count at a time resuming where it stopped', async () => {
      const ctx = await ctxOf('cell4');
      const cell = uuids.get('cell4') as string;
      const made = await seedInstances(ctx, 120, { projectId: 'proj-map' });
      await seedInstances(ctx, 3, { deleted: true, projectId: 'proj-map' });
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'map_instances',
          '--cell_uuid',
          cell,
          '--max-count',
          '50',
        ),
      ).toEqual({ code: 1, out: '', err: '' });
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'map_instances',
          '--cell_uuid',
          cell,
          '--max-count',
          '50',
        ),
      ).toEqual({ code: 1, out: '', err: '' });
      expect(
        await manage(
          d.sections,
          'cell_v2',
          'map_instances',
          '--cell_uuid',
          cell,
          '--max-count',
          '50',
        ),
      ).toEqual({ code: 0, out: '', err: '' });
      const repo = (await d.app()).get(InstanceMappingRepository);
      for (const uuid of [made[0], made[60], made[119]]) {
        expect((await repo.findByInstanceUuid(uuid))?.cell?.uuid).toBe(cell);
      }
      expect(await repo.findMigrationMarker()).toBeNull();
      // --reset walks from the start again; everything is mapped already, so it ends at once.
      expect(
        await manage(d.sections, 'cell_v2', 'map_instances', '--cell_uuid', cell, '--reset'),
      ).toEqual({ code: 0, out: '', err: '' });
    });

    it('rejects a bad --max-count (127) and an unknown cell (255)', async () => {
      for (const bad of ['0', '-3', 'x']) {
        expect(
          await manage(
            d.sections,
            'cell_v2',
            'map_instances',
            '--cell_uuid',
            uuids.get('cell1') as string,
            '--max-count',
            bad,
          ),
        ).toEqual({
          code: 127,
          out: 'Must supply a positive value for max-count',
          err: '',
        });
      }
      expect(await manage(d.sections, 'cell_v2', 'map_instances', '--cell_uuid', 'nope')).toEqual({
        code: 255,
        out: 'Cell nope has no mapping.',
        err: '',
      });
    });
  });

  describe('verify_instance', () => {
    it('reports mapped (0), no mapping (1), no cell (2), deleted (3), archived (4), and --quiet', async () => {
      const ctx = await ctxOf('cell5');
      const cell = uuids.get('cell5') as string;
      const [alive, gone, archived] = (await seedInstances(ctx, 3)) as [string, string, string];
      await manageOk(d.sections, 'cell_v2', 'map_instances', '--cell_uuid', cell);
      const instances = (await ctx.cell.db()).getRepository(Instance);
      await instances.update({ uuid: gone }, { deleted: 7, deleted_at: new Date() });
      await instances.delete({ uuid: archived });
      const unscheduled = randomUUID();
      await router.mappings.create({
        instanceUuid: unscheduled,
        cell: null,
        projectId: 'p',
        userId: null,
      });
      const verify = (uuid: string, ...more: string[]) =>
        manage(d.sections, 'cell_v2', 'verify_instance', '--uuid', uuid, ...more);

      expect(await verify(alive)).toEqual({
        code: 0,
        out: `Instance ${alive} is in cell: cell5 (${cell})`,
        err: '',
      });
      expect(await verify('missing')).toEqual({
        code: 1,
        out: 'Instance missing is not mapped to a cell (upgrade is incomplete) or instance does not exist',
        err: '',
      });
      expect(await verify(unscheduled)).toEqual({
        code: 2,
        out: `Instance ${unscheduled} is not mapped to a cell`,
        err: '',
      });
      expect((await verify(gone)).code).toBe(3);
      expect((await verify(gone)).out).toMatch(
        /^The instance with uuid .* has been deleted\.\nExecute `nova-manage db archive_deleted_rows`/,
      );
      expect(await verify(archived)).toEqual({
        code: 4,
        out: `The instance with uuid ${archived} has been archived.\nHowever its instance_mapping remains.`,
        err: '',
      });
      expect(await verify(gone, '--quiet')).toEqual({ code: 3, out: '', err: '' });
    });
  });

  describe('simple_cell_setup', () => {
    it('maps cell0 and the configured cell with its hosts and instances', async () => {
      const other = await TestDeployment.create({ backend, cells: [] });
      try {
        const local = other.dbUrl('local');
        const sections = { ...other.sections, database: { connection: local } };
        await manageOk(sections, 'db', 'sync', '--local_cell');
        const app = await other.app(sections);
        const r = app.get(CellRouter);
        // The local database is not a mapped cell yet: reach it through a provisional mapping.
        expect(await manage(sections, 'cell_v2', 'simple_cell_setup')).toMatchObject({
          code: 1,
          out: expect.stringContaining('No hosts found to map to cell, exiting.'),
        });
        const provisional = await other.addCell('provisional');
        const ctx = r.targetCell(adminContext(), await r.cell(provisional));
        await seedComputes(ctx, ['solo']);
        await seedInstances(ctx, 2);
        await manageOk(other.sections, 'cell_v2', 'delete_cell', '--cell_uuid', provisional);
        const result = await manage(
          {
            ...sections,
            database: { connection: other.cellUrls.get('provisional')?.db as string },
          },
          'cell_v2',
          'simple_cell_setup',
          '--transport-url',
          'rabbit://u:p@h:5672/solo',
        );
        expect(result.code).toBe(0);
        expect(result.out).toContain('Cell0 is already setup');
        const hosts = await manageOk(other.sections, 'cell_v2', 'list_hosts');
        expect(hosts).toMatch(/\|\s+None\s+\|\s+[0-9a-f-]{36}\s+\|\s+solo\s+\|/);
        expect(
          (await manage(other.sections, 'cell_v2', 'simple_cell_setup', '--transport-url', 'nope'))
            .code,
        ).toBe(1);
      } finally {
        await other.cleanup();
      }
    });
  });

  describe('the nova-manage binary', () => {
    it("prints one line and no stack trace on errors, with Nova's exit codes", async () => {
      const conf = d.configFile();
      const unknown = await runBin('nova-manage', [
        '--config-file',
        conf,
        'cell_v2',
        'discover_hosts',
        '--cell_uuid',
        'nope',
      ]);
      expect(unknown).toEqual({ code: 255, stdout: 'Cell nope has no mapping.\n', stderr: '' });
      const usage = await runBin('nova-manage', ['--config-file', conf, 'cell_v2', 'frobnicate']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).not.toMatch(/\n\s+at /);
      const missing = await runBin('nova-manage', [
        '--config-file',
        '/nonexistent/nova.conf',
        'cell_v2',
        'list_cells',
      ]);
      expect(missing).toEqual({
        code: 1,
        stdout: '',
        stderr: 'Failed to find some config files: /nonexistent/nova.conf\n',
      });
      const ok = await runBin('nova-manage', [
        '--config-file',
        conf,
        'cell_v2',
        'list_hosts',
        '--cell_uuid',
        uuids.get('cell1') as string,
      ]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('compute-a');
    });
  });
});

export type { Cell };
