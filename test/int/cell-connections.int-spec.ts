import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { CellMappingRepository } from '@nova/api-db';
import { CellRouter, type Cell } from '@nova/cell-router';
import { cellDb } from '@nova/cells/db';
import { adminContext, sleep } from '@nova/common';
import { TestDeployment } from '../support/deployment';
import { manageOk } from '../support/manage';
import { connectionsAfterClose, connectionsTo, query } from '../support/mysql';
import { connectionsToVhost } from '../support/rabbit';
import { freePort } from '../support/redis';

async function insertInstance(database: string, uuid: string): Promise<void> {
  await query(
    database,
    "INSERT INTO instances (uuid, project_id, vm_state, created_at, deleted) VALUES (?, 'p', 'active', NOW(3), 0)",
    [uuid],
  );
}

describe('per-cell connections', () => {
  let deployment: TestDeployment;

  beforeAll(async () => {
    deployment = await TestDeployment.create({
      backend: 'mariadb',
      cells: ['cell1', 'cell2'],
      extra: {
        cells: {
          max_open_cells: '2',
          idle_timeout: '1',
          connect_timeout: '2',
          refresh_interval: '0.2',
        },
      },
    });
  });

  afterAll(async () => {
    await deployment.cleanup();
  });

  const byName = async (router: CellRouter, name: string): Promise<Cell> =>
    (await router.cells()).find((c) => c.name === name) as Cell;

  it('500 concurrent lookups into a cold cell open exactly one pool for it', async () => {
    const router = (await deployment.app()).get(CellRouter);
    const cell1 = await byName(router, 'cell1');
    const uuids = Array.from({ length: 20 }, () => randomUUID());
    for (const uuid of uuids) {
      await insertInstance(deployment.dbName('cell1'), uuid);
      await router.mappings.create({
        instanceUuid: uuid,
        cell: cell1,
        projectId: 'p',
        userId: null,
      });
    }
    expect(router.pool.stats.openedByCell.get(cell1.uuid)).toBeUndefined();

    const found = await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const uuid = uuids[i % uuids.length] as string;
        const ctx = await router.targetInstance(adminContext(), uuid);
        return (await (await cellDb(ctx)).instances.findByUuid(uuid))?.uuid;
      }),
    );
    expect(found.filter((u) => u !== undefined)).toHaveLength(500);
    expect(router.pool.stats.openedByCell.get(cell1.uuid)).toBe(1);
    expect(router.pool.stats.dataSourcesOpened).toBe(1);
    expect(await connectionsTo(deployment.dbName('cell1'))).toBeLessThanOrEqual(
      deployment.config.database.max_pool_size,
    );
  });

  it('keeps at most [cells] max_open_cells cells open, closing the least recently used', async () => {
    const router = (await deployment.app()).get(CellRouter);
    for (const name of ['cell0', 'cell1', 'cell2']) {
      await router.targetCell(adminContext(), await byName(router, name)).cell.db();
    }
    expect(router.pool.openCount).toBe(2);
    await router.pool.drain();
    expect(router.pool.stats.dataSourcesOpened).toBe(3);
    expect(router.pool.stats.dataSourcesClosed).toBe(1);
    expect(await connectionsAfterClose(deployment.dbName('cell0'))).toBe(0);
  });

  it('closes a cell idle for [cells] idle_timeout', async () => {
    const router = (await deployment.app()).get(CellRouter);
    await router.targetCell(adminContext(), await byName(router, 'cell2')).cell.db();
    const closedBefore = router.pool.stats.dataSourcesClosed;
    for (let i = 0; i < 40 && router.pool.stats.dataSourcesClosed === closedBefore; i++) {
      await sleep(100);
    }
    expect(router.pool.stats.dataSourcesClosed).toBe(closedBefore + 1);
    expect(router.pool.openCount).toBe(0);
  });

  it('an updated database URL closes the old pool and serves from the new database', async () => {
    const router = (await deployment.app()).get(CellRouter);
    const cell2 = await byName(router, 'cell2');
    const ctx = router.targetCell(adminContext(), cell2);
    const dbOf = async () =>
      (await (await ctx.cell.db()).query<Array<{ d: string }>>('SELECT DATABASE() AS d'))[0]?.d;
    expect(await dbOf()).toBe(deployment.dbName('cell2'));

    const newUrl = deployment.dbUrl('cell2b');
    // Counted before the change: the cell list may learn of it (and close the old
    // pool) as soon as update_cell publishes it, before the loop below looks.
    const closedBefore = router.pool.stats.dataSourcesClosed;
    await manageOk(deployment.sections, 'db', 'sync', '--local_cell'); // no-op; keeps the API DB warm
    await manageOk(
      { ...deployment.sections, database: { connection: newUrl } },
      'db',
      'sync',
      '--local_cell',
    );
    await manageOk(
      deployment.sections,
      'cell_v2',
      'update_cell',
      '--cell_uuid',
      cell2.uuid,
      '--database_connection',
      newUrl,
    );

    let seen: string | undefined;
    for (let i = 0; i < 30 && seen !== deployment.dbName('cell2b'); i++) {
      await sleep(100);
      seen = await dbOf(); // the same context follows the cell to its new URL
    }
    expect(seen).toBe(deployment.dbName('cell2b'));
    await router.pool.drain();
    expect(router.pool.stats.dataSourcesClosed).toBeGreaterThan(closedBefore);
    expect(await connectionsAfterClose(deployment.dbName('cell2'))).toBe(0);
  });
});

describe('per-cell queue connections', () => {
  let deployment: TestDeployment;

  beforeAll(async () => {
    deployment = await TestDeployment.create({
      backend: 'mariadb',
      vhosts: true,
      cells: ['cell1'],
      extra: { cells: { refresh_interval: '0.2' } },
    });
  });

  afterAll(async () => {
    await deployment.cleanup();
  });

  it('an updated transport URL closes the old AMQP connection and opens one on the new vhost', async () => {
    const router = (await deployment.app()).get(CellRouter);
    const cell1 = (await router.cells()).find((c) => c.name === 'cell1') as Cell;
    const ctx = router.targetCell(adminContext(), cell1);
    expect((await ctx.cell.mq()).isConnected()).toBe(true);
    const oldVhost = `${deployment.id}_cell1`;
    expect(await connectionsToVhost(oldVhost)).toBe(1);

    const newUrl = await deployment.mqUrl('cell1b');
    await manageOk(
      deployment.sections,
      'cell_v2',
      'update_cell',
      '--cell_uuid',
      cell1.uuid,
      '--transport-url',
      newUrl,
    );
    for (let i = 0; i < 30 && (await router.cell(cell1.uuid)).transportUrl !== newUrl; i++) {
      await sleep(100);
    }
    expect((await ctx.cell.mq()).isConnected()).toBe(true); // the same context follows the cell
    await router.pool.drain();
    await sleep(500); // RabbitMQ lists a closed connection for a moment
    expect(await connectionsToVhost(oldVhost)).toBe(0);
    expect(await connectionsToVhost(`${deployment.id}_cell1b`)).toBe(1);
  });
});

describe('scatterGather with dead cells', () => {
  let deployment: TestDeployment;
  let hanging: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    deployment = await TestDeployment.create({
      backend: 'mariadb',
      cells: ['cell1', 'cell2'],
      extra: { cells: { connect_timeout: '5' } },
    });
    hanging = createServer((socket) => sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    hanging.close();
    await deployment.cleanup();
  });

  it('returns the live cells within the timeout and marks the dead ones', async () => {
    const app = await deployment.app();
    const repo = app.get(CellMappingRepository);
    const refusedPort = await freePort();
    const hangPort = (hanging.address() as { port: number }).port;
    await repo.create({
      name: 'refused',
      transport_url: 'none:///',
      database_connection: `mysql://root@127.0.0.1:${refusedPort}/x`,
    });
    await repo.create({
      name: 'silent',
      transport_url: 'none:///',
      database_connection: `mysql://root@127.0.0.1:${hangPort}/x`,
    });
    const router = app.get(CellRouter);
    await router.registry.refresh();
    const cells = await router.cells();
    expect(cells).toHaveLength(5);

    const started = Date.now();
    const results = await router.scatterGather(
      adminContext(),
      cells,
      async (ctx) =>
        (await (await ctx.cell.db()).query<Array<{ d: string }>>('SELECT DATABASE() AS d'))[0]?.d,
      { timeoutMs: 1000 },
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1500);
    const byName = (name: string) => results.get((cells.find((c) => c.name === name) as Cell).uuid);
    expect(byName('cell0')).toEqual({ status: 'ok', value: deployment.dbName('cell0') });
    expect(byName('cell1')).toEqual({ status: 'ok', value: deployment.dbName('cell1') });
    expect(byName('cell2')).toEqual({ status: 'ok', value: deployment.dbName('cell2') });
    expect(byName('refused')?.status).toBe('error');
    expect(String((byName('refused') as { error: unknown }).error)).toMatch(/unreachable/);
    expect(byName('silent')).toEqual({ status: 'timeout' });

    // A dead cell fails fast afterwards instead of costing a connect timeout per request.
    const again = Date.now();
    const second = await router.scatterGather(
      adminContext(),
      cells.filter((c) => c.name === 'refused'),
      async (ctx) => ctx.cell.db(),
      { timeoutMs: 1000 },
    );
    expect([...second.values()][0]?.status).toBe('error');
    expect(Date.now() - again).toBeLessThan(200);
  });
});
