import { CellRouter, type Cell } from '@nova/cell-router';
import { adminContext, sleep } from '@nova/common';
import { TestDeployment, type Backend } from '../support/deployment';
import { connectionsAfterClose } from '../support/mysql';
import { runBin } from '../support/spawn';

/** Poll the router's cached cell list (never forcing a re-read) until `found` holds. */
async function waitForCell(
  router: CellRouter,
  found: (cells: readonly Cell[]) => boolean,
  limitMs = 3000,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if (found(await router.cells())) {
      return Date.now() - started;
    }
    await sleep(20);
  }
  throw new Error(`the router did not see the change within ${limitMs} ms`);
}

describe.each<[Backend, boolean]>([
  ['mariadb', true],
  ['sqlite', false],
])('a cell changed by nova-manage in another process (%s, redis=%s)', (backend, redis) => {
  let deployment: TestDeployment;
  let router: CellRouter;
  let configFile: string;

  beforeAll(async () => {
    deployment = await TestDeployment.create({ backend, redis, cells: ['cell1'] });
    router = (await deployment.app()).get(CellRouter);
    await router.cells(); // loaded and watching, as in a running service
    configFile = deployment.configFile();
  });

  afterAll(async () => {
    await deployment.cleanup();
  });

  it('is used by the router within 1 s, without restart', async () => {
    const db = deployment.dbUrl('late');
    const sync = await runBin(
      'nova-manage',
      ['--config-file', configFile, 'db', 'sync', '--local_cell'],
      { OS_DATABASE__CONNECTION: db },
    );
    expect(sync.code).toBe(0);
    const create = await runBin('nova-manage', [
      '--config-file',
      configFile,
      'cell_v2',
      'create_cell',
      '--name',
      'late',
      '--database_connection',
      db,
      '--transport-url',
      `inproc://${deployment.id}_late`,
      '--verbose',
    ]);
    expect(create.stderr).toBe('');
    expect(create.code).toBe(0);
    const uuid = create.stdout.trim().split('\n').pop() as string;

    const waited = await waitForCell(router, (cells) => cells.some((c) => c.uuid === uuid));
    expect(waited).toBeLessThan(1000);
    const ctx = router.targetCell(adminContext(), router.registry.peek(uuid) as Cell);
    const dataSource = await ctx.cell.db();
    const rows = await dataSource.query<Array<{ n: number | string }>>(
      'SELECT COUNT(*) AS n FROM instances',
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('an updated URL reaches the router and closes the old pool', async () => {
    const cell1 = (await router.cells()).find((c) => c.name === 'cell1') as Cell;
    const ctx = router.targetCell(adminContext(), cell1);
    await (await ctx.cell.db()).query('SELECT 1');
    const opened = router.pool.stats.dataSourcesOpened;
    const closed = router.pool.stats.dataSourcesClosed;

    const db = deployment.dbUrl('cell1_moved');
    expect(
      (
        await runBin('nova-manage', ['--config-file', configFile, 'db', 'sync', '--local_cell'], {
          OS_DATABASE__CONNECTION: db,
        })
      ).code,
    ).toBe(0);
    const update = await runBin('nova-manage', [
      '--config-file',
      configFile,
      'cell_v2',
      'update_cell',
      '--cell_uuid',
      cell1.uuid,
      '--database_connection',
      db,
    ]);
    expect(update.code).toBe(0);

    const waited = await waitForCell(router, (cells) =>
      cells.some((c) => c.uuid === cell1.uuid && c.databaseConnection === db),
    );
    expect(waited).toBeLessThan(1000);
    await (await ctx.cell.db()).query('SELECT 1'); // the same context now reaches the new database
    expect(router.pool.stats.dataSourcesOpened).toBe(opened + 1);
    await router.pool.drain();
    expect(router.pool.stats.dataSourcesClosed).toBe(closed + 1);
    if (backend === 'mariadb') {
      expect(await connectionsAfterClose(deployment.dbName('cell1'))).toBe(0);
    }
  });

  it('a deleted cell disappears from the router and its connections close', async () => {
    const late = (await router.cells()).find((c) => c.name === 'late') as Cell;
    await router.targetCell(adminContext(), late).cell.db();
    const closed = router.pool.stats.dataSourcesClosed;
    const del = await runBin('nova-manage', [
      '--config-file',
      configFile,
      'cell_v2',
      'delete_cell',
      '--cell_uuid',
      late.uuid,
    ]);
    expect(del.code).toBe(0);
    expect(
      await waitForCell(router, (cells) => !cells.some((c) => c.uuid === late.uuid)),
    ).toBeLessThan(1000);
    await router.pool.drain();
    expect(router.pool.stats.dataSourcesClosed).toBe(closed + 1);
  });
});
