import type { DataSource } from 'typeorm';
import { ApiDatabase } from '@nova/api-db';
import { CellRouter, type CellContext } from '@nova/cell-router';
import { SERVICE_VERSION } from '@nova/cells/db';
import { adminContext } from '@nova/common';
import { latestVersion } from '@nova/database';
import { API_MIGRATIONS } from '@nova/migrations/api';
import { insertRow } from '../support/archive-seed';
import { TestDeployment, type Backend } from '../support/deployment';
import { manageOk } from '../support/manage';
import { seedComputes } from '../support/seed';
import { status, statusChecks as checks } from '../support/status';
import { runBin } from '../support/spawn';

const SUCCESS: [string, string] = ['Success', 'None'];

/** nova-status upgrade check on a healthy deployment and on broken ones. */
describe.each<Backend>(['mariadb', 'sqlite'])('nova-status upgrade check (%s)', (backend) => {
  let d: TestDeployment;
  let cell1: CellContext;
  let ds1: DataSource;
  let api: DataSource;
  let cell1Label: string;

  /** Compute nodes with their resource providers, as a running conductor records them. */
  const addComputes = async (hosts: string[], { providers = true } = {}) => {
    await seedComputes(cell1, hosts);
    await ds1.query(`UPDATE services SET version = ${SERVICE_VERSION}`);
    if (providers) {
      const nodes = await ds1.query<Array<{ uuid: string; host: string }>>(
        `SELECT uuid, host FROM compute_nodes WHERE host IN (${hosts.map(() => '?').join(', ')})`,
        hosts,
      );
      for (const node of nodes) {
        await insertRow(api, 'resource_providers', {
          uuid: node.uuid,
          name: node.host,
          generation: 0,
          created_at: new Date(),
        });
      }
    }
  };

  beforeAll(async () => {
    d = await TestDeployment.create({ backend, cells: ['cell1'] });
    const app = await d.app();
    const router = app.get(CellRouter);
    const cell = (await router.cells()).find((c) => c.name === 'cell1')!;
    cell1Label = `cell1(${cell.uuid})`;
    cell1 = router.targetCell(adminContext(), cell);
    ds1 = await cell1.cell.db();
    api = await app.get(ApiDatabase).get();
    await addComputes(['compute-1', 'compute-2']);
    await manageOk(d.sections, 'cell_v2', 'discover_hosts');
  }, 120_000);

  afterAll(async () => {
    await d.cleanup();
  });

  it('passes every check on a healthy deployment (exit 0), in oslo.upgradecheck layout', async () => {
    const result = await status(d.sections, 'upgrade', 'check');
    expect(result).toEqual({
      code: 0,
      err: '',
      out: [
        '+--------------------------------+',
        '| Upgrade Check Results          |',
        '+--------------------------------+',
        '| Check: Cells v2                |',
        '| Result: Success                |',
        '| Details: None                  |',
        '+--------------------------------+',
        '| Check: Placement API           |',
        '| Result: Success                |',
        '| Details: None                  |',
        '+--------------------------------+',
        '| Check: Database Schemas        |',
        '| Result: Success                |',
        '| Details: None                  |',
        '+--------------------------------+',
        '| Check: Older than N-1 computes |',
        '| Result: Success                |',
        '| Details: None                  |',
        '+--------------------------------+',
      ].join('\n'),
    });
  });

  it('--json prints oslo.upgradecheck document', async () => {
    const result = await status(d.sections, 'upgrade', 'check', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      name: 'Upgrade Check Results',
      checks: [
        { check: 'Cells v2', result: 0, details: null },
        { check: 'Placement API', result: 0, details: null },
        { check: 'Database Schemas', result: 0, details: null },
        { check: 'Older than N-1 computes', result: 0, details: null },
      ],
    });
  });

  it('an unmapped compute host is a failure (exit 2) until discover_hosts maps it', async () => {
    await addComputes(['compute-3']);
    const result = await status(d.sections, 'upgrade', 'check');
    expect(result.code).toBe(2);
    expect(checks(result.out)['Cells v2']).toEqual([
      'Failure',
      `Compute hosts not mapped to a cell: compute-3 (cell ${cell1Label}). Run command 'nova-manage cell_v2 discover_hosts' and then retry.`,
    ]);
    // Details wrap at 60 columns under "Details: ", as oslo.upgradecheck does.
    const details = result.out.split('\n').filter((l) => l.includes('Compute hosts not mapped'));
    expect(details).toEqual([
      expect.stringMatching(
        /^\| Details: Compute hosts not mapped to a cell: compute-3 \(cell +\|$/,
      ),
    ]);
    await manageOk(d.sections, 'cell_v2', 'discover_hosts');
    expect((await status(d.sections, 'upgrade', 'check')).code).toBe(0);
  });

  it('a compute node without a resource provider is a warning (exit 1)', async () => {
    await addComputes(['compute-4'], { providers: false });
    await manageOk(d.sections, 'cell_v2', 'discover_hosts');
    const result = await status(d.sections, 'upgrade', 'check');
    expect(result.code).toBe(1);
    expect(checks(result.out)['Placement API']).toEqual([
      'Warning',
      "There are 3 compute resource providers and 4 compute nodes in the deployment. Compute nodes without a resource provider get no instances until their cell conductor records one from the compute's next report: compute-4 (compute-4).",
    ]);
    expect(checks(result.out)['Cells v2']).toEqual(SUCCESS);
    const [node] = await ds1.query<Array<{ uuid: string }>>(
      "SELECT uuid FROM compute_nodes WHERE host = 'compute-4'",
    );
    await insertRow(api, 'resource_providers', {
      uuid: node.uuid,
      name: 'compute-4',
      generation: 0,
      created_at: new Date(),
    });
    expect((await status(d.sections, 'upgrade', 'check')).code).toBe(0);
  });

  it('a cell schema behind the code is a failure until db sync', async () => {
    await ds1.query('DELETE FROM nova_schema_migrations WHERE timestamp = 10');
    const result = await status(d.sections, 'upgrade', 'check');
    expect(result.code).toBe(2);
    expect(checks(result.out)['Database Schemas']).toEqual([
      'Failure',
      `The schema of cell ${cell1Label} is at version 9, this release needs 10: run command 'nova-manage db sync'.`,
    ]);
    await manageOk(d.sections, 'db', 'sync');
    expect((await status(d.sections, 'upgrade', 'check')).code).toBe(0);
  });

  it('a migration missing below the latest is a failure; one this release does not know is a warning', async () => {
    // What a database migrated before a late-merged migration looks like: at the top version with a gap.
    await ds1.query('DELETE FROM nova_schema_migrations WHERE timestamp = 2');
    try {
      const gap = await status(d.sections, 'upgrade', 'check');
      expect(gap.code).toBe(2);
      expect(checks(gap.out)['Database Schemas']).toEqual([
        'Failure',
        `The schema of cell ${cell1Label} is at version 10 but lacks migration(s) 2: run command 'nova-manage db sync'.`,
      ]);
    } finally {
      await insertRow(ds1, 'nova_schema_migrations', {
        timestamp: 2,
        name: 'InstanceSecurityGroups0000000000002',
      });
    }
    await insertRow(ds1, 'nova_schema_migrations', {
      timestamp: 11,
      name: 'FromTheFuture0000000000011',
    });
    try {
      const ahead = await status(d.sections, 'upgrade', 'check');
      expect(ahead.code).toBe(1);
      expect(checks(ahead.out)['Database Schemas']).toEqual([
        'Warning',
        `The schema of cell ${cell1Label} is at version 11, newer than this release knows (10).`,
      ]);
    } finally {
      await ds1.query('DELETE FROM nova_schema_migrations WHERE timestamp = 11');
    }
  });

  it('an API schema behind the code is a failure until api_db sync', async () => {
    // The latest API migration undone in the record.
    const latest = latestVersion(API_MIGRATIONS);
    await api.query('DELETE FROM nova_schema_migrations WHERE timestamp = ?', [latest]);
    const result = await status(d.sections, 'upgrade', 'check');
    expect(result.code).toBe(2);
    expect(checks(result.out)['Database Schemas']).toEqual([
      'Failure',
      `The API database schema is at version ${latest - 1}, this release needs ${latest}: run command 'nova-manage api_db sync'.`,
    ]);
    await manageOk(d.sections, 'api_db', 'sync');
    expect((await status(d.sections, 'upgrade', 'check')).code).toBe(0);
  });

  it('a cell whose database cannot be used is a failure', async () => {
    const out = await manageOk(
      d.sections,
      'cell_v2',
      'create_cell',
      '--name',
      'ghost',
      '--database_connection',
      d.dbUrl('ghost'),
      '--transport-url',
      await d.mqUrl('ghost'),
      '--verbose',
    );
    const uuid = out.trim().split('\n').pop()!;
    try {
      const result = await status(d.sections, 'upgrade', 'check');
      expect(result.code).toBe(2);
      const [code, details] = checks(result.out)['Database Schemas'];
      expect(code).toBe('Failure');
      expect(details).toMatch(
        backend === 'mariadb'
          ? new RegExp(`^Cell ghost\\(${uuid}\\) could not be reached: .*Unknown database`)
          : new RegExp(
              `^The schema of cell ghost\\(${uuid}\\) is at version 0, this release needs 10`,
            ),
      );
    } finally {
      await manageOk(d.sections, 'cell_v2', 'delete_cell', '--cell_uuid', uuid);
    }
  });

  it('a compute older than the oldest supported release is a failure', async () => {
    await ds1.query("UPDATE services SET version = 50 WHERE host = 'compute-2'");
    try {
      const result = await status(d.sections, 'upgrade', 'check');
      expect(result.code).toBe(2);
      expect(checks(result.out)['Older than N-1 computes']).toEqual([
        'Failure',
        'Current Nova version does not support computes older than Yoga but the minimum compute service level in your system is 50 and the oldest supported service level is 61.',
      ]);
      // A forced-down service does not count (Nova's minimum skips it).
      await ds1.query("UPDATE services SET forced_down = 1 WHERE host = 'compute-2'");
      expect((await status(d.sections, 'upgrade', 'check')).code).toBe(0);
    } finally {
      await ds1.query(
        `UPDATE services SET version = ${SERVICE_VERSION}, forced_down = 0 WHERE host = 'compute-2'`,
      );
    }
  });

  it('an API database it cannot read is an error (255)', async () => {
    const result = await status(
      {
        ...d.sections,
        api_database: { connection: 'mysql+pymysql://nova:nova@127.0.0.1:1/nova_api' },
      },
      'upgrade',
      'check',
    );
    expect(result.code).toBe(255);
    expect(result.out).toMatch(/^Error:\n.*ECONNREFUSED/);
  });

  it('usage errors exit 2', async () => {
    expect((await status(d.sections, 'upgrade')).code).toBe(2);
    expect((await status(d.sections, 'upgrade', 'check', '--bogus')).code).toBe(2);
  });
});

describe('nova-status on a fresh install (mariadb)', () => {
  let d: TestDeployment;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', cells: [] });
  }, 120_000);

  afterAll(async () => {
    await d.cleanup();
  });

  it('walks through Nova Cells v2 messages as the deployment is set up', async () => {
    const fresh = await status(d.sections, 'upgrade', 'check');
    expect(fresh.code).toBe(2);
    // Details wrap at 60 columns under "Details: " (Python's textwrap, hyphens included).
    expect(
      fresh.out
        .split('\n')
        .slice(3, 8)
        .map((l) => l.replace(/ +\|$/, '')),
    ).toEqual([
      '| Check: Cells v2',
      '| Result: Failure',
      '| Details: There needs to be at least two cell mappings, one for cell0',
      "|          and one for your first cell. Run command 'nova-",
      "|          manage cell_v2 simple_cell_setup' and then retry.",
    ]);

    await d.addCell('cell1');
    const noHosts = await status(d.sections, 'upgrade', 'check');
    expect(noHosts.code).toBe(0);
    expect(checks(noHosts.out)['Cells v2']).toEqual([
      'Success',
      "No host mappings or compute nodes were found. Remember to run command 'nova-manage cell_v2 discover_hosts' when new compute hosts are deployed.",
    ]);

    const router = (await d.app()).get(CellRouter);
    const cell = (await router.cells()).find((c) => c.name === 'cell1')!;
    await seedComputes(router.targetCell(adminContext(), cell), ['compute-1']);
    const unmapped = await status(d.sections, 'upgrade', 'check');
    expect(unmapped.code).toBe(2);
    expect(checks(unmapped.out)['Cells v2']).toEqual([
      'Failure',
      "No host mappings found but there are compute nodes. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.",
    ]);
  });

  it('the nova-status binary reads --config-file and exits with the worst result', async () => {
    const conf = d.configFile();
    const version = await runBin('nova-status', ['--version']);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
    const result = await runBin('nova-status', ['--config-file', conf, 'upgrade', 'check']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('| Upgrade Check Results');
    expect(result.stdout).toMatch(
      /\n\| Details: No host mappings found but there are compute nodes\. Run +\|\n/,
    );
    const missing = await runBin('nova-status', [
      '--config-file',
      '/nonexistent.conf',
      'upgrade',
      'check',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
  });
});
