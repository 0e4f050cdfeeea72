/**
 * npm run bench:scheduler — select_destinations over a simulated region:
 * BENCH_CELLS cells (10) of BENCH_HOSTS_PER_CELL fake hosts (1,000) each, every
 * cell a MariaDB database and placement in the API database, as the computes'
 * reports would leave them. The scheduler runs in this process (no queue in
 * between): each decision places one instance and claims it in placement.
 *
 * Prints decisions/s and p50/p99 per decision with the host-state cache (after
 * the first request filled it), the same while reports stream in as 10,000
 * hosts send them (one per host per report_interval, 10 s), and without the
 * cache (every request reads every cell and all of placement, as before).
 * Never asserts. Everything it made (databases) goes at the end.
 *
 * Environment: BENCH_CELLS, BENCH_HOSTS_PER_CELL, BENCH_DECISIONS (cached runs,
 * 2,000), BENCH_UNCACHED_DECISIONS (40), BENCH_CONCURRENCY (requests in flight, 8).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Table from 'cli-table3';
import { createConnection } from 'mysql2/promise';
import { AggregateRepository } from '@nova/aggregates';
import { ApiDatabase } from '@nova/api-db';
import { CacheModule } from '@nova/cache';
import { CellRouter } from '@nova/cell-router';
import { HostStateCache, SchedulerModule, SchedulerService } from '@nova/cells/scheduler';
import {
  narrowCandidates,
  schedulerConfigFrom,
  selectDestinations,
  type RequestSpec,
} from '@nova/scheduler';
import { adminContext } from '@nova/common';
import { NoValidHost, type WireRequestSpec } from '@nova/compute-rpc';
import { ConfigModule, loadConfig, type NovaConfig } from '@nova/config';
import { PlacementService } from '@nova/placement';
import { runNovaManage } from '../../apps/nova-manage/src/run-nova-manage';
import { cpuPerRequest } from './cpu-split';
import { insertComputeHosts, insertProviders } from './simulated-hosts';
import { fmt, loadAverage, percentile } from './stats';

const CELLS = Number(process.env['BENCH_CELLS'] ?? 10);
const HOSTS_PER_CELL = Number(process.env['BENCH_HOSTS_PER_CELL'] ?? 1000);
const DECISIONS = Number(process.env['BENCH_DECISIONS'] ?? 2000);
const UNCACHED_DECISIONS = Number(process.env['BENCH_UNCACHED_DECISIONS'] ?? 40);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
/** Reports per second from every host reporting once per report_interval. */
const REPORT_INTERVAL_S = 10;

const id = `bench_${Math.random().toString(36).slice(2, 8)}`;
const mysql = (db: string) => `mysql+pymysql://root@127.0.0.1:3306/${db}`;
type Sections = Record<string, Record<string, string>>;

function progress(msg: string): void {
  process.stderr.write(`· ${msg}\n`);
}

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

/** Each node's inventory, as a compute of this size reports it. */
const INVENTORY = {
  VCPU: { total: 64, allocation_ratio: 4 },
  MEMORY_MB: { total: 262_144, reserved: 512, allocation_ratio: 1 },
  DISK_GB: { total: 2000, allocation_ratio: 1 },
};

/** One cell's services and compute nodes, as the computes' first reports write them. */
async function seedCell(router: CellRouter, cellIndex: number): Promise<Map<string, string>> {
  const cell = (await router.cells()).find((c) => c.name === `cell${cellIndex}`)!;
  const ds = await router.targetCell(adminContext(), cell).cell.db();
  const hosts = Array.from({ length: HOSTS_PER_CELL }, (_, i) => `c${cellIndex}-host${i}`);
  return insertComputeHosts(ds, hosts, {
    resources: { vcpus: 64, memory_mb: 262_144, local_gb: 2000 },
  });
}

function spec(): WireRequestSpec {
  return {
    instance_uuids: [randomUUID()],
    project_id: 'bench',
    user_id: 'bench',
    flavor: {
      id: 1,
      flavorid: '1',
      name: 'm1.small',
      vcpus: 1,
      memory_mb: 2048,
      root_gb: 20,
      ephemeral_gb: 0,
      swap: 0,
      extra_specs: {},
    },
    image: { id: randomUUID(), name: 'cirros', min_disk: 0, min_ram: 0, properties: {} },
    availability_zone: null,
    scheduler_hints: {},
    group: null,
    requested_host: null,
    requested_node: null,
    ignore_hosts: [],
  };
}

/** The same request as the scheduler's own RequestSpec, for selection without a claim. */
function requestSpec(): RequestSpec {
  const wire = spec();
  return {
    instanceUuids: wire.instance_uuids,
    numInstances: 1,
    projectId: wire.project_id,
    flavor: wire.flavor,
    image: { id: wire.image.id, properties: {} },
    availabilityZone: null,
    schedulerHints: {},
    instanceGroup: null,
    requestedDestination: null,
    ignoreHosts: [],
  };
}

/** What a decision costs without its claim: the cached hosts, the sample, filters and weighers. */
async function selectOnly(cache: HostStateCache, config: NovaConfig, count: number): Promise<Run> {
  const samples: number[] = [];
  const schedulerConfig = schedulerConfigFrom(config);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const request = requestSpec();
    const hosts = await cache.hostStates();
    const candidates = narrowCandidates(request, hosts, config.scheduler.max_placement_results);
    selectDestinations(request, candidates, schedulerConfig);
    samples.push(performance.now() - t);
  }
  // Selection consumed in memory without claiming: have the cache read those hosts again.
  cache.refreshAll();
  return { decisions: count, seconds: (performance.now() - start) / 1000, samples };
}

/** Claims alone, one instance each on a random provider: placement's share of a decision. */
async function claimOnly(
  placement: PlacementService,
  providers: readonly string[],
  count: number,
  concurrency: number,
): Promise<Run> {
  const samples: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const rp = providers[Math.floor(Math.random() * providers.length)];
        const t = performance.now();
        const ok = await placement.claim(randomUUID(), 'bench', 'bench', rp, {
          VCPU: 1,
          MEMORY_MB: 2048,
          DISK_GB: 20,
        });
        samples.push(performance.now() - t);
        if (!ok) {
          throw new Error('claim refused');
        }
      }
    }),
  );
  return { decisions: count, seconds: (performance.now() - start) / 1000, samples };
}

interface Run {
  readonly decisions: number;
  readonly seconds: number;
  readonly samples: number[];
  readonly note?: string;
}

/** `count` decisions, at most `concurrency` in flight; those that found no host are counted. */
async function decide(service: SchedulerService, count: number, concurrency: number): Promise<Run> {
  const samples: number[] = [];
  let next = 0;
  let failed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        next++;
        const t = performance.now();
        try {
          await service.select(spec());
          samples.push(performance.now() - t);
        } catch (err) {
          if (!(err instanceof NoValidHost)) {
            throw err;
          }
          failed++;
        }
      }
    }),
  );
  return {
    decisions: count - failed,
    seconds: (performance.now() - start) / 1000,
    samples,
    ...(failed ? { note: `${failed} without a host` } : {}),
  };
}

/** Reports of random hosts at the rate `hosts` of them make every report_interval. */
function streamReports(cache: HostStateCache, cells: string[], hosts: number): () => number {
  const perTick = Math.max(1, Math.round(hosts / REPORT_INTERVAL_S / 100)); // every 10 ms
  let sent = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      const c = Math.floor(Math.random() * cells.length);
      const h = Math.floor(Math.random() * HOSTS_PER_CELL);
      cache.hostReported({
        cell: cells[c],
        host: `c${c + 1}-host${h}`,
        changed: false,
        at: Date.now(),
      });
      sent++;
    }
  }, 10);
  return () => {
    clearInterval(timer);
    return sent;
  };
}

async function main(): Promise<void> {
  process.env['NOVA_LOG_LEVEL'] ??= 'error';
  const sections: Sections = {
    // No compute heartbeats here: the seeded services stay up for the whole run.
    DEFAULT: { transport_url: 'none:///', service_down_time: '86400' },
    api_database: { connection: mysql(`${id}_api`), max_pool_size: '20' },
    // Per cell: eleven pools share MariaDB's 151 connections with whatever else runs.
    database: { connection: mysql(`${id}_cell0`), max_pool_size: '4' },
    cache: { enabled: 'false', backend: 'dogpile.cache.memory' },
    // Reading 1,000 hosts of a cell can take more than the default 2 s on a busy machine;
    // without the cache every request does, and would lose whole cells.
    cells: { cell_list_timeout: '60' },
  };
  const dbs = [`${id}_api`, `${id}_cell0`];
  const rows: string[][] = [];
  const started = performance.now();
  try {
    await manage(sections, 'api_db', 'sync');
    await manage(sections, 'cell_v2', 'map_cell0', '--database_connection', mysql(`${id}_cell0`));
    for (let c = 1; c <= CELLS; c++) {
      dbs.push(`${id}_cell${c}`);
      await manage(
        sections,
        'cell_v2',
        'create_cell',
        '--name',
        `cell${c}`,
        '--database_connection',
        mysql(`${id}_cell${c}`),
        '--transport-url',
        // Never connected: the scheduler reads cells, it does not cast to them.
        `rabbit://guest:guest@127.0.0.1:5672/${id}_cell${c}`,
      );
    }
    await manage(sections, 'db', 'sync');
    const config: NovaConfig = loadConfig({ files: [], env: {}, overrides: sections });
    @Module({ imports: [ConfigModule.forRoot(config), CacheModule, SchedulerModule] })
    class BenchModule {}
    const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
    const router = app.get(CellRouter);
    const placement = app.get(PlacementService);
    const apiDb = app.get(ApiDatabase);

    const nodes = new Map<string, string>();
    for (let c = 1; c <= CELLS; c++) {
      for (const [host, uuid] of await seedCell(router, c)) {
        nodes.set(host, uuid);
      }
      progress(`cell${c}: ${HOSTS_PER_CELL} hosts`);
    }
    await insertProviders(placement, await apiDb.get(), nodes, INVENTORY);
    progress(
      `placement: ${nodes.size} providers (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );

    const cache = new HostStateCache(router, placement, {
      serviceDownTime: config.DEFAULT.service_down_time,
      defaultZone: config.DEFAULT.default_availability_zone,
      timeoutMs: 30_000,
      loadAggregates: () => app.get(AggregateRepository).list(),
    });
    const args = [config, router, placement, app.get(AggregateRepository), apiDb] as const;
    const cached = new SchedulerService(...args, cache);
    const uncached = new SchedulerService(...args);
    const cellUuids = (await router.cells()).filter((c) => c.name !== 'cell0').map((c) => c.uuid);

    const fill = performance.now();
    await cached.select(spec());
    const fillMs = performance.now() - fill;
    await decide(cached, 200, CONCURRENCY); // warm the JIT and the pools

    const push = (label: string, run: Run, extra = '') =>
      rows.push([
        label,
        String(run.decisions),
        (run.decisions / run.seconds).toFixed(0),
        fmt(percentile(run.samples, 50)),
        fmt(percentile(run.samples, 99)),
        loadAverage().split(' ')[0],
        [extra, run.note].filter(Boolean).join('; '),
      ]);
    progress(`cached, ${CONCURRENCY} in flight (load ${loadAverage()})`);
    // The scheduler runs in this process: its CPU against MariaDB's, per decision.
    const split = await cpuPerRequest(
      [],
      'scheduler (this process)',
      () => decide(cached, DECISIONS, CONCURRENCY),
      (run) => run.decisions,
    );
    push(`cache, ${CONCURRENCY} in flight`, split.result, split.text);
    progress(`cached, 1 in flight (load ${loadAverage()})`);
    push('cache, 1 in flight', await decide(cached, Math.ceil(DECISIONS / 3), 1));
    progress(`selection only, claims only (load ${loadAverage()})`);
    push('cache, selection only (no claim), 1 in flight', await selectOnly(cache, config, 1000));
    await cached.select(spec()); // refill
    const uuids = [...nodes.values()];
    const claims = await cpuPerRequest(
      [],
      'scheduler (this process)',
      () => claimOnly(placement, uuids, 1000, CONCURRENCY),
      (run) => run.decisions,
    );
    push(`claims only (no selection), ${CONCURRENCY} in flight`, claims.result, claims.text);
    push('claims only (no selection), 1 in flight', await claimOnly(placement, uuids, 300, 1));
    progress(`cached with reports streaming (load ${loadAverage()})`);
    const stop = streamReports(cache, cellUuids, nodes.size);
    const streamed = await decide(cached, DECISIONS, CONCURRENCY);
    const reports = stop();
    push(
      `cache, ${CONCURRENCY} in flight, reports streaming`,
      streamed,
      `${(reports / streamed.seconds).toFixed(0)} reports/s`,
    );
    progress(`uncached (load ${loadAverage()})`);
    push(
      `no cache, ${CONCURRENCY} in flight`,
      await decide(uncached, UNCACHED_DECISIONS, CONCURRENCY),
    );
    push('no cache, 1 in flight', await decide(uncached, Math.ceil(UNCACHED_DECISIONS / 2), 1));
    rows.push([
      'cache fill (first request: every cell read whole)',
      '1',
      '',
      fmt(fillMs),
      '',
      '',
      '',
    ]);
    await app.close();
  } finally {
    const conn = await createConnection({ host: '127.0.0.1', user: 'root' });
    for (const db of dbs) {
      await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
    }
    await conn.end();
    printTable(rows); // what was measured, also when a later case failed
  }
}

function printTable(rows: string[][]): void {
  const table = new Table({
    head: ['case', 'decisions', 'decisions/s', 'p50', 'p99', 'load', ''],
    style: { head: [], border: [] },
  });
  table.push(...rows);
  console.log(
    `Scheduler benchmark: ${CELLS * HOSTS_PER_CELL} fake hosts in ${CELLS} cells on MariaDB; ` +
      `one instance per decision, claimed in placement (load average ${loadAverage()})`,
  );
  console.log(table.toString());
  console.log('Targets: >= 1,000 decisions/s, p99 <= 20 ms.');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
