import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { CELL0_UUID } from '@nova/api-db';
import { CellRouter, type Cell } from '@nova/cell-router';
import { adminContext } from '@nova/common';
import { redisCache } from '../support/config';
import { TestDeployment } from '../support/deployment';
import { PrivateRedis } from '../support/redis';
import { connectionsToVhost } from '../support/rabbit';

/**
 * Three cells (cell0, cell1, cell2), each its own MariaDB database and RabbitMQ
 * vhost; instance mappings looked up through Redis, and still found with Redis down.
 */
describe('cell router on MariaDB, RabbitMQ and Redis', () => {
  let deployment: TestDeployment;
  let redis: PrivateRedis;
  let app: INestApplicationContext;
  let router: CellRouter;
  const cellUuids = new Map<string, string>();

  beforeAll(async () => {
    deployment = await TestDeployment.create({ backend: 'mariadb', cells: [], vhosts: true });
    cellUuids.set('cell0', CELL0_UUID);
    cellUuids.set('cell1', await deployment.addCell('cell1'));
    cellUuids.set('cell2', await deployment.addCell('cell2'));
    redis = await PrivateRedis.start();
    app = await deployment.app({
      ...deployment.sections,
      cache: redisCache(deployment.id, redis.port),
    });
    router = app.get(CellRouter);
  });

  afterAll(async () => {
    await redis.stop();
    await deployment.cleanup();
  });

  const cell = async (name: string): Promise<Cell> => router.cell(cellUuids.get(name) as string);

  it('lists the three cells with their own databases and vhosts', async () => {
    const cells = await router.cells();
    expect(cells.map((c) => c.name)).toEqual(['cell0', 'cell1', 'cell2']);
    const dbs = new Set(cells.map((c) => c.databaseConnection));
    expect(dbs.size).toBe(3);
    expect((await cell('cell0')).transportUrl).toBe('none:///');
    expect((await cell('cell1')).transportUrl).toContain(`/${deployment.id}_cell1`);
  });

  it('targets each cell: its own database and its own vhost', async () => {
    for (const name of ['cell0', 'cell1', 'cell2']) {
      const ctx = router.targetCell(adminContext(), await cell(name));
      const db = await ctx.cell.db();
      const [row] = await db.query<Array<{ db: string }>>('SELECT DATABASE() AS db');
      expect(row?.db).toBe(deployment.dbName(name));
    }
    for (const name of ['cell1', 'cell2']) {
      const ctx = router.targetCell(adminContext(), await cell(name));
      expect((await ctx.cell.mq()).isConnected()).toBe(true);
      expect(await connectionsToVhost(`${deployment.id}_${name}`)).toBe(1);
    }
    await expect(router.targetCell(adminContext(), await cell('cell0')).cell.mq()).rejects.toThrow(
      /no message queue/,
    );
  });

  it('reads mappings through Redis: written on create, served from the cache, removed on delete', async () => {
    const uuid = randomUUID();
    await router.mappings.create({
      instanceUuid: uuid,
      cell: await cell('cell2'),
      projectId: 'p1',
      userId: 'u1',
    });
    const client = redis.client();
    try {
      expect(
        JSON.parse((await client.get(`${deployment.id}:imap:${uuid}`)) as string),
      ).toMatchObject({ c: cellUuids.get('cell2'), p: 'p1' });
      // Cached with [cache] expiration_time (600 s by default), never forever.
      const ttl = await client.ttl(`${deployment.id}:imap:${uuid}`);
      expect(ttl).toBeGreaterThan(590);
      expect(ttl).toBeLessThanOrEqual(600);
      const before = { ...router.mappings.stats };
      const found = await router.lookupInstance(uuid);
      expect(found?.cell?.name).toBe('cell2');
      expect(router.mappings.stats.cacheHits).toBe(before.cacheHits + 1);
      expect(router.mappings.stats.databaseReads).toBe(before.databaseReads);

      await router.mappings.setCell(uuid, await cell('cell1'));
      expect(
        JSON.parse((await client.get(`${deployment.id}:imap:${uuid}`)) as string),
      ).toMatchObject({ c: cellUuids.get('cell1') });
      expect((await router.lookupInstance(uuid))?.cell?.name).toBe('cell1');

      await router.mappings.delete(uuid);
      expect(await client.get(`${deployment.id}:imap:${uuid}`)).toBeNull();
      expect(await router.lookupInstance(uuid)).toBeNull();
      expect(await client.get(`${deployment.id}:imap:${uuid}`)).toBe('-'); // negative entry
      // Remembered only for [cells] mapping_negative_ttl (2 s).
      const negativeTtl = await client.pttl(`${deployment.id}:imap:${uuid}`);
      expect(negativeTtl).toBeGreaterThan(0);
      expect(negativeTtl).toBeLessThanOrEqual(2000);
    } finally {
      client.disconnect();
    }
  });

  it('a cache miss reads the database once and fills the cache', async () => {
    const uuid = randomUUID();
    await router.mappings.create({
      instanceUuid: uuid,
      cell: await cell('cell1'),
      projectId: 'p1',
      userId: null,
    });
    await router.mappings.forget(uuid);
    const before = { ...router.mappings.stats };
    expect((await router.lookupInstance(uuid))?.cell?.name).toBe('cell1');
    expect((await router.lookupInstance(uuid))?.cell?.name).toBe('cell1');
    expect(router.mappings.stats.databaseReads).toBe(before.databaseReads + 1);
    expect(router.mappings.stats.cacheHits).toBe(before.cacheHits + 1);
  });

  it('still answers from the database with Redis stopped, and uses Redis again when it is back', async () => {
    const uuids = [randomUUID(), randomUUID()];
    for (const [i, uuid] of uuids.entries()) {
      await router.mappings.create({
        instanceUuid: uuid,
        cell: await cell(i === 0 ? 'cell1' : 'cell2'),
        projectId: 'p2',
        userId: 'u2',
      });
    }
    await redis.stop();
    const before = { ...router.mappings.stats };
    const started = Date.now();
    expect((await router.lookupInstance(uuids[0] as string))?.cell?.name).toBe('cell1');
    expect((await router.lookupInstance(uuids[1] as string))?.cell?.name).toBe('cell2');
    expect(await router.lookupInstance(randomUUID())).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000); // fail fast, not a hang per lookup
    expect(router.mappings.stats.cacheErrors).toBeGreaterThan(before.cacheErrors);
    expect(router.mappings.stats.databaseReads).toBe(before.databaseReads + 3);
    // Writes still go to the database while the cache is down.
    const late = randomUUID();
    await router.mappings.create({
      instanceUuid: late,
      cell: await cell('cell2'),
      projectId: 'p2',
      userId: null,
    });
    expect((await router.lookupInstance(late))?.cell?.name).toBe('cell2');

    await redis.spawn();
    let hits = router.mappings.stats.cacheHits;
    for (let i = 0; i < 50 && router.mappings.stats.cacheHits === hits; i++) {
      await router.lookupInstance(late); // first fills the cache once connected, then hits
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(router.mappings.stats.cacheHits).toBeGreaterThan(hits);
    hits = router.mappings.stats.cacheHits;
  });
});
