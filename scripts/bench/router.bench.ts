/**
 * npm run bench:router — instance-mapping lookups and cold-cell connections on the
 * real servers (MariaDB, RabbitMQ, Redis on loopback; scripts/services starts them).
 * Prints p50/p99 per case; never asserts.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import Table from 'cli-table3';
import { createConnection } from 'mysql2/promise';
import { CellRouter, type Cell } from '@nova/cell-router';
import { adminContext } from '@nova/common';
import { loadConfig } from '@nova/config';
import { ManageAppModule } from '../../apps/nova-manage/src/manage-app.module';
import { runNovaManage } from '../../apps/nova-manage/src/run-nova-manage';
import { fmt, percentile, timeMs } from './stats';

const MAPPINGS = 2000;
const HIT_LOOKUPS = 20_000;
const COLD_ROUNDS = 20;
const id = `bench_${Math.random().toString(36).slice(2, 8)}`;
const mysql = (db: string) => `mysql+pymysql://root@127.0.0.1:3306/${db}`;

type Sections = Record<string, Record<string, string>>;

async function manage(sections: Sections, ...argv: string[]): Promise<string> {
  const out: string[] = [];
  const code = await runNovaManage(argv, {
    io: { out: (s) => out.push(s), err: (s) => out.push(s), progress: process.stderr },
    env: {},
    overrides: sections,
  });
  if (code !== 0) {
    throw new Error(`nova-manage ${argv.join(' ')}: ${out.join(' ')}`);
  }
  return out.join('\n');
}

async function appFor(sections: Sections) {
  return NestFactory.createApplicationContext(
    ManageAppModule.forConfig(loadConfig({ files: [], env: {}, overrides: sections })),
    { logger: false },
  );
}

async function main(): Promise<void> {
  process.env['NOVA_LOG_LEVEL'] ??= 'error';
  const redis = {
    enabled: 'true',
    backend: 'dogpile.cache.redis',
    redis_server: '127.0.0.1:6379',
    key_prefix: id,
    redis_socket_timeout: '0.5',
  };
  const sections: Sections = {
    DEFAULT: { transport_url: 'rabbit://guest:guest@127.0.0.1:5672/%2F' },
    api_database: { connection: mysql(`${id}_api`), max_pool_size: '10' },
    database: { connection: mysql(`${id}_cell1`), max_pool_size: '10' },
    cache: redis,
  };
  const dbs = [`${id}_api`, `${id}_cell0`, `${id}_cell1`];
  const rows: string[][] = [];
  try {
    await manage(sections, 'api_db', 'sync');
    await manage(sections, 'cell_v2', 'map_cell0', '--database_connection', mysql(`${id}_cell0`));
    const cellUuid = (
      await manage(
        sections,
        'cell_v2',
        'create_cell',
        '--name',
        'cell1',
        '--transport-url',
        'rabbit://guest:guest@127.0.0.1:5672/%2F',
        '--verbose',
      )
    )
      .split('\n')
      .pop() as string;
    await manage(sections, 'db', 'sync');

    const app = await appFor(sections);
    const router = app.get(CellRouter);
    const cell: Cell = await router.cell(cellUuid);
    const uuids = Array.from({ length: MAPPINGS }, () => randomUUID());
    for (const uuid of uuids) {
      await router.mappings.create({
        instanceUuid: uuid,
        cell,
        projectId: 'bench',
        userId: 'bench',
      });
    }

    // Redis hit: every mapping is cached by create(); look them up round robin.
    const hit: number[] = [];
    for (let i = 0; i < HIT_LOOKUPS; i++) {
      const uuid = uuids[i % MAPPINGS] as string;
      hit.push(await timeMs(() => router.lookupInstance(uuid)));
    }
    rows.push([
      'lookup, Redis hit',
      String(hit.length),
      fmt(percentile(hit, 50)),
      fmt(percentile(hit, 99)),
    ]);

    // Redis miss -> API database (then cached): forget each key first, untimed.
    const miss: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const uuid of uuids) {
        await router.mappings.forget(uuid);
        miss.push(await timeMs(() => router.lookupInstance(uuid)));
      }
    }
    rows.push([
      'lookup, Redis miss -> DB',
      String(miss.length),
      fmt(percentile(miss, 50)),
      fmt(percentile(miss, 99)),
    ]);

    // Redis down: a router whose Redis port answers nothing; every lookup falls back to the DB.
    const downApp = await appFor({ ...sections, cache: { ...redis, redis_server: '127.0.0.1:1' } });
    const downRouter = downApp.get(CellRouter);
    const down: number[] = [];
    for (let i = 0; i < MAPPINGS; i++) {
      const uuid = uuids[i] as string;
      down.push(await timeMs(() => downRouter.lookupInstance(uuid)));
    }
    rows.push([
      'lookup, Redis down -> DB',
      String(down.length),
      fmt(percentile(down, 50)),
      fmt(percentile(down, 99)),
    ]);
    await downApp.close();

    // Cold cell: time to the first query (and to the first AMQP connection) on a cell never opened.
    const coldDb: number[] = [];
    const coldMq: number[] = [];
    for (let i = 0; i < COLD_ROUNDS; i++) {
      await router.pool.release(cell.uuid);
      const ctx = router.targetCell(adminContext(), cell);
      coldDb.push(await timeMs(async () => (await ctx.cell.db()).query('SELECT 1')));
      coldMq.push(await timeMs(() => ctx.cell.mq()));
    }
    rows.push([
      'first query on a cold cell (DB pool)',
      String(coldDb.length),
      fmt(percentile(coldDb, 50)),
      fmt(percentile(coldDb, 99)),
    ]);
    rows.push([
      'first AMQP connection to a cold cell',
      String(coldMq.length),
      fmt(percentile(coldMq, 50)),
      fmt(percentile(coldMq, 99)),
    ]);

    // 500 concurrent first requests to a cold cell: one pool, everyone served.
    await router.pool.release(cell.uuid);
    const opened = router.pool.stats.dataSourcesOpened;
    const burst = await timeMs(() =>
      Promise.all(
        Array.from({ length: 500 }, async (_, i) =>
          (await router.targetInstance(adminContext(), uuids[i % MAPPINGS] as string)).cell
            .db()
            .then((ds) => ds.query<unknown[]>('SELECT 1')),
        ),
      ),
    );
    rows.push([
      `500 concurrent cold requests (${router.pool.stats.dataSourcesOpened - opened} pool opened)`,
      '1',
      fmt(burst),
      '',
    ]);
    await app.close();
  } finally {
    const conn = await createConnection({ host: '127.0.0.1', user: 'root' });
    for (const db of dbs) {
      await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
    }
    await conn.end();
  }
  const table = new Table({
    head: ['case', 'samples', 'p50', 'p99'],
    style: { head: [], border: [] },
  });
  table.push(...rows);
  console.log(
    `Cell router benchmark (MariaDB + Redis + RabbitMQ on loopback, ${MAPPINGS} mappings)`,
  );
  console.log(table.toString());
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
