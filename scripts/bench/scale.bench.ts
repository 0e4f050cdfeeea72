/**
 * npm run bench:scale — a simulated region that grows: the real multi-process
 * stack (nova-api noauth2, super conductor, scheduler, and per cell a conductor
 * and one fake nova-compute process) on one MariaDB and one RabbitMQ (a database
 * and a vhost per cell), grown step by step (BENCH_SCALE_STEPS cells, 10,25,50).
 *
 * Each cell has BENCH_SCALE_HOSTS_PER_CELL hosts: BENCH_SCALE_LIVE_HOSTS of them
 * served by the cell's nova-compute process ([fake_driver] host_count), the rest
 * simulated (seeded as disabled compute services with nodes, host mappings and
 * placement providers: listed, read by the scheduler, never chosen). Each cell
 * added gets BENCH_SCALE_INSTANCES / (last step's cells) ACTIVE instances on its
 * simulated hosts, seeded through the project's repositories with mappings,
 * addresses and allocations (scale/seed.ts), owned by BENCH_SCALE_PROJECTS
 * projects in turn.
 *
 * At every step: BENCH_SCALE_BOOTS servers booted through the API (at most
 * BENCH_SCALE_BOOT_CONCURRENCY building at once; servers/s, create -> ACTIVE
 * p50/p99), then the read paths (all_tenants detail with limit=1000, a project's
 * list, show, os-hypervisors/detail, os-simple-tenant-usage), every process's
 * RSS and the open DB and AMQP connections. Prints the tables and the cost per
 * added cell; never asserts. Everything it made goes at the end, also on
 * failure or Ctrl-C. BENCH_SCALE_CELLS_PER_CONDUCTOR (1) runs one cell
 * conductor process per that many cells (`nova-conductor --cell ...`).
 */
import 'reflect-metadata';
import { cpus } from 'node:os';
import Table from 'cli-table3';
import { ApiHttp } from './http-client';
import { sleep, Stack, startupTimeout } from '../lib/stack';
import { fmt, loadAverage, percentile } from './stats';
import {
  amqpConnections,
  dbConnections,
  maxConnections,
  rssGroups,
  setMaxConnections,
  type Connections,
  type Group,
} from './scale/probes';
import { Seeder } from './scale/seed';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${name} must be a whole number, not ${raw}`);
  }
  return n;
}

const STEPS = (process.env['BENCH_SCALE_STEPS'] ?? '10,25,50').split(',').map(Number);
const HOSTS_PER_CELL = envInt('BENCH_SCALE_HOSTS_PER_CELL', 1000);
const LIVE_HOSTS = Math.min(HOSTS_PER_CELL, envInt('BENCH_SCALE_LIVE_HOSTS', 10));
const INSTANCES = envInt('BENCH_SCALE_INSTANCES', 100_000);
const BOOTS = envInt('BENCH_SCALE_BOOTS', 5000);
const BOOT_CONCURRENCY = envInt('BENCH_SCALE_BOOT_CONCURRENCY', 20);
const PROJECTS = Math.max(1, envInt('BENCH_SCALE_PROJECTS', 100));
const SAMPLES = Math.max(1, envInt('BENCH_SCALE_SAMPLES', 20));
const SHOW_SAMPLES = Math.max(1, envInt('BENCH_SCALE_SHOW_SAMPLES', 200));
const HEAVY_SAMPLES = Math.max(1, envInt('BENCH_SCALE_HEAVY_SAMPLES', 5));
const SEED_CONCURRENCY = Math.max(1, envInt('BENCH_SCALE_SEED_CONCURRENCY', 4));
const MAX_OPEN_CELLS = process.env['BENCH_SCALE_MAX_OPEN_CELLS'];
const DB_POOL = process.env['BENCH_SCALE_DB_POOL'];
const RAISE_MAX_CONNECTIONS = envInt('BENCH_SCALE_MAX_CONNECTIONS', 0);
const CELLS_PER_CONDUCTOR = Math.max(1, envInt('BENCH_SCALE_CELLS_PER_CONDUCTOR', 1));
const IDLE_SECONDS = Math.max(1, envInt('BENCH_SCALE_IDLE_SECONDS', 30));
const PER_CELL = Math.ceil(INSTANCES / STEPS[STEPS.length - 1]);
const SIM_HOSTS = HOSTS_PER_CELL - LIVE_HOSTS;
const ADMIN = 'admin:admin';
const BOOTER = 'demo:demo';
const FLAVOR = 'bench-scale';
const POLL_MS = 100;
const projects = Array.from({ length: PROJECTS }, (_, i) => `scale-p${i}`);

interface Timing {
  readonly p50: number;
  readonly p99: number;
  readonly n: number;
  /** Items in one response (servers, hypervisors, usages). */
  readonly items?: number;
}

interface StepResult {
  cells: number;
  seededInstances: number;
  bootedInstances: number;
  seedSeconds: number;
  boot?: { perSecond: number; p50: number; p99: number; errors: number; seconds: number };
  reads: Map<string, Timing>;
  rss: Group[];
  /** CPU cores each group used over IDLE_SECONDS with nothing asked of the region. */
  idle?: Array<{ role: string; count: number; cores: number }>;
  db?: Connections;
  amqp?: { api: number; cellsSum: number; cellsMax: number; total: number };
  load: string;
}

const results: StepResult[] = [];

const notes: string[] = [];

function progress(msg: string): void {
  process.stderr.write(`· ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
}

/**
 * The region's background cost: CPU each process group uses over IDLE_SECONDS
 * while nothing is asked of it (heartbeats, node reports, periodic tasks).
 */
async function idleCpu(
  stack: Stack,
): Promise<{ idle: NonNullable<StepResult['idle']>; groups: Group[] }> {
  progress(`idle for ${IDLE_SECONDS} s: background CPU per process group`);
  const before = rssGroups(stack);
  await sleep(IDLE_SECONDS * 1000);
  const groups = rssGroups(stack);
  const idle = groups.map((g, i) => ({
    role: g.role,
    count: g.count,
    cores: (g.cpu - (before[i]?.cpu ?? 0)) / IDLE_SECONDS,
  }));
  return { idle, groups };
}

function validate(): void {
  if (
    STEPS.length === 0 ||
    STEPS.some((s, i) => !Number.isInteger(s) || s < 1 || s <= (STEPS[i - 1] ?? 0))
  ) {
    throw new Error(`BENCH_SCALE_STEPS must be increasing cell counts, not ${STEPS.join(',')}`);
  }
  if (LIVE_HOSTS < 1) {
    throw new Error('BENCH_SCALE_LIVE_HOSTS must be at least 1');
  }
  if (PER_CELL > 0 && SIM_HOSTS === 0) {
    throw new Error(
      'seeded instances live on simulated hosts: HOSTS_PER_CELL must exceed LIVE_HOSTS',
    );
  }
}

async function main(): Promise<number> {
  validate();
  notes.push(`load average at start: ${loadAverage()} (${cpus().length} CPUs)`);
  notes.push(`cell conductors: one process per ${CELLS_PER_CONDUCTOR} cell(s)`);
  const cellNames = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `cell${from + i + 1}`);
  const stack = new Stack({
    cells: cellNames(0, STEPS[0]),
    cellsPerConductor: CELLS_PER_CONDUCTOR,
    hostsPerCell: LIVE_HOSTS,
    apiLogLevel: process.env['BENCH_API_LOG_LEVEL'] ?? 'warn',
    serviceLogLevel: process.env['BENCH_LOG_LEVEL'] ?? 'info',
    extra: {
      // Added cells' hosts are mapped within seconds; every discovery scans every cell's nodes.
      scheduler: { discover_hosts_in_cells_interval: '5' },
      fake_driver: {
        host_count: String(LIVE_HOSTS),
        vcpus: '256',
        memory_mb: '262144',
        local_gb: '4000',
        spawn_delay_ms: '0',
      },
      // Room for every address seeded and booted.
      flat_network: { cidr: '10.0.0.0/8' },
      quota: { instances: '-1', cores: '-1', ram: '-1' },
      // A listing across 50 cells on a loaded 2-core machine: no cell reported down for slowness.
      cells: {
        cell_list_timeout: '30',
        ...(MAX_OPEN_CELLS ? { max_open_cells: MAX_OPEN_CELLS } : {}),
      },
      ...(DB_POOL
        ? { database: { max_pool_size: DB_POOL }, api_database: { max_pool_size: DB_POOL } }
        : {}),
    },
  });
  let interrupted = false;
  let restoreMax: number | undefined;
  const onSignal = (signal: string) => {
    interrupted = true;
    console.error(`\n${signal}: cleaning up`);
    void stack
      .cleanup(true)
      .then(() => (restoreMax ? setMaxConnections(restoreMax) : undefined))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));

  let failed = false;
  let http: ApiHttp | undefined;
  try {
    if (RAISE_MAX_CONNECTIONS > 0) {
      const before = await maxConnections();
      if (before < RAISE_MAX_CONNECTIONS) {
        restoreMax = before;
        await setMaxConnections(RAISE_MAX_CONNECTIONS);
        notes.push(
          `MariaDB max_connections raised ${before} -> ${RAISE_MAX_CONNECTIONS} for the run`,
        );
      }
    }
    const maxConn = await maxConnections();
    const bound = connectionBound(STEPS[STEPS.length - 1]);
    notes.push(
      `MariaDB max_connections ${maxConn}; at ${STEPS[STEPS.length - 1]} cells the pools may ` +
        `open up to ${bound} (${bound > maxConn ? 'MORE: set BENCH_SCALE_MAX_CONNECTIONS or BENCH_SCALE_DB_POOL' : 'fits'})`,
    );
    await stack.setUp(progress);
    await stack.start(progress);
    await stack.waitForHosts(STEPS[0] * LIVE_HOSTS, startupTimeout(300_000, 2 * STEPS[0]));
    http = new ApiHttp(stack.base);
    const image = await prepare(http);
    let cells = 0;
    const seeded: Array<{ uuid: string; project: string }> = [];
    let booted = 0;
    for (const step of STEPS) {
      const fresh = cellNames(cells, step);
      if (cells > 0) {
        progress(`adding ${fresh.length} cells (${cells} -> ${step})`);
        await stack.addCells(fresh, progress);
        await stack.waitForHosts(
          cells * HOSTS_PER_CELL + fresh.length * LIVE_HOSTS,
          startupTimeout(300_000, 2 * fresh.length),
        );
      }
      const seedStart = performance.now();
      const seeder = await Seeder.open(stack.sections, {
        flavorId: FLAVOR,
        imageRef: image,
        projects,
        concurrency: SEED_CONCURRENCY,
        networkName: 'private',
      });
      try {
        for (const name of fresh) {
          progress(`${name}: seeding ${SIM_HOSTS} simulated hosts and ${PER_CELL} instances`);
          seeded.push(
            ...(await seeder.seed({
              name,
              hosts: SIM_HOSTS,
              instances: PER_CELL,
              addressOffset: seeded.length,
            })),
          );
        }
      } finally {
        await seeder.close();
      }
      const seedSeconds = (performance.now() - seedStart) / 1000;
      cells = step;
      const result: StepResult = {
        cells,
        seededInstances: seeded.length,
        bootedInstances: booted,
        seedSeconds,
        reads: new Map(),
        rss: [],
        load: '',
      };
      results.push(result);
      progress(`${cells} cells: booting ${BOOTS} servers (${BOOT_CONCURRENCY} building at once)`);
      result.boot = await bootMany(stack, http, image, BOOTS);
      booted += BOOTS - result.boot.errors;
      result.bootedInstances = booted;
      await measureReads(stack, http, result, seeded);
      // The RSS and CPU so far are read at the end of the idle window.
      ({ idle: result.idle, groups: result.rss } = await idleCpu(stack));
      result.db = await dbConnections(stack);
      result.amqp = await amqpConnections(stack);
      result.load = loadAverage();
    }
  } catch (err) {
    failed = true;
    if (interrupted) {
      return 130;
    }
    console.error('\nbench failed:', err instanceof Error ? (err.stack ?? err.message) : err);
    stack.printLogs();
  } finally {
    printTables();
    http?.close();
    progress('cleaning up (processes, databases, vhosts, Redis keys)');
    await stack.cleanup(failed || process.env['BENCH_KEEP_LOGS'] === '1');
    if (restoreMax) {
      await setMaxConnections(restoreMax).catch((err: unknown) =>
        console.error(`could not restore max_connections ${restoreMax}: ${String(err)}`),
      );
    }
  }
  return failed ? 1 : 0;
}

/**
 * The most MariaDB connections the stack's pools may hold at `cells` cells:
 * each cell conductor a pool on its cell and one on the API database; nova-api,
 * the super conductor and the scheduler a pool per open cell (at most
 * max_open_cells, cell0 included) and one on the API database.
 */
function connectionBound(cells: number): number {
  const pool = Number(DB_POOL ?? 5);
  const open = Math.min(cells + 1, Number(MAX_OPEN_CELLS ?? 64));
  return cells * 2 * pool + 3 * (open + 1) * pool;
}

/** The flavor the servers use; returns the image to boot. */
async function prepare(http: ApiHttp): Promise<string> {
  await http.expect(200, 'POST', '/v2.1/flavors', {
    token: ADMIN,
    body: { flavor: { name: 'bench.scale', id: FLAVOR, vcpus: 1, ram: 64, disk: 1 } },
  });
  const images = (await http.expect(200, 'GET', '/v2.1/images', { token: BOOTER })).json<{
    images: Array<{ id: string }>;
  }>().images;
  if (!images[0]) {
    throw new Error('GET /v2.1/images: no image');
  }
  return images[0].id;
}

/**
 * `count` single-server POSTs, at most BOOT_CONCURRENCY posted and not yet
 * ACTIVE; one watcher lists the booting project's servers changed lately
 * (changes-since) every POLL_MS and settles each one seen ACTIVE or ERROR.
 */
async function bootMany(stack: Stack, http: ApiHttp, image: string, count: number) {
  const pending = new Map<string, (status: string) => void>();
  const started = performance.now();
  let stop = false;
  let watchError: Error | undefined;
  const watcher = (async () => {
    // Each poll reaches back to 2 s before the previous one began: nothing is missed.
    let previous = Date.now();
    while (!stop) {
      const since = new Date(previous - 2000).toISOString();
      previous = Date.now();
      try {
        const res = await http.expect(
          200,
          'GET',
          `/v2.1/servers/detail?changes-since=${encodeURIComponent(since)}&limit=1000`,
          { token: BOOTER },
        );
        for (const s of res.json<{ servers: Array<{ id: string; status: string }> }>().servers) {
          const settle = pending.get(s.id);
          if (settle && (s.status === 'ACTIVE' || s.status === 'ERROR')) {
            pending.delete(s.id);
            settle(s.status);
          }
        }
        stack.assertAlive();
      } catch (err) {
        watchError = err instanceof Error ? err : new Error(`watcher: ${JSON.stringify(err)}`);
        for (const settle of pending.values()) {
          settle('WATCH FAILED');
        }
        pending.clear();
        return;
      }
      await sleep(POLL_MS);
    }
  })();
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  const worker = async () => {
    while (next < count && watchError === undefined) {
      const i = next++;
      const t0 = performance.now();
      const res = await http.call('POST', '/v2.1/servers', {
        token: BOOTER,
        body: { server: { name: `boot-${i}`, imageRef: image, flavorRef: FLAVOR } },
      });
      if (res.status !== 202) {
        errors++;
        if (errors <= 3) {
          console.error(`!! POST /servers: HTTP ${res.status} ${res.text.slice(0, 400)}`);
        }
        continue;
      }
      const id = res.json<{ server: { id: string } }>().server.id;
      const status = await new Promise<string>((resolve) => {
        pending.set(id, resolve);
        const timer = setTimeout(() => {
          if (pending.delete(id)) {
            resolve('TIMEOUT');
          }
        }, 300_000);
        timer.unref();
      });
      if (status === 'ACTIVE') {
        times.push(performance.now() - t0);
      } else {
        errors++;
        if (errors <= 3) {
          console.error(`!! server ${id}: ${status}`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BOOT_CONCURRENCY, count) }, worker));
  stop = true;
  await watcher;
  if (watchError !== undefined) {
    throw watchError;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    perSecond: times.length / seconds,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    errors,
    seconds,
  };
}

async function timed(
  http: ApiHttp,
  count: number,
  path: (i: number) => string,
  token: (i: number) => string,
  items: (body: any) => number,
): Promise<Timing> {
  const samples: number[] = [];
  let n = 0;
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const res = await http.call('GET', path(i), { token: token(i), timeoutMs: 600_000 });
    samples.push(performance.now() - t);
    if (res.status !== 200) {
      throw new Error(`GET ${path(i)}: HTTP ${res.status}: ${res.text.slice(0, 600)}`);
    }
    n = items(res.json());
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), n: count, items: n };
}

async function measureReads(
  stack: Stack,
  http: ApiHttp,
  result: StepResult,
  seeded: ReadonlyArray<{ uuid: string; project: string }>,
): Promise<void> {
  const servers = (b: { servers: unknown[] }) => b.servers.length;
  const reads = result.reads;
  progress(`${result.cells} cells: reads (load ${loadAverage()})`);
  await timed(
    http,
    2,
    () => '/v2.1/servers/detail?all_tenants=1&limit=1000',
    () => ADMIN,
    servers,
  );
  reads.set(
    'GET /servers/detail?all_tenants=1&limit=1000 (admin)',
    await timed(
      http,
      SAMPLES,
      () => '/v2.1/servers/detail?all_tenants=1&limit=1000',
      () => ADMIN,
      servers,
    ),
  );
  const project = projects[0];
  reads.set(
    `GET /servers, one project (${project}, its servers in every cell)`,
    await timed(
      http,
      SAMPLES,
      () => '/v2.1/servers',
      () => `${project}:${project}`,
      servers,
    ),
  );
  const picks = Array.from(
    { length: SHOW_SAMPLES },
    () => seeded[Math.floor(Math.random() * seeded.length)],
  );
  reads.set(
    'GET /servers/{id} (random seeded server, its owner)',
    await timed(
      http,
      SHOW_SAMPLES,
      (i) => `/v2.1/servers/${picks[i].uuid}`,
      (i) => `${picks[i].project}:${picks[i].project}`,
      () => 1,
    ),
  );
  reads.set(
    'GET /os-hypervisors/detail (admin, all)',
    await timed(
      http,
      HEAVY_SAMPLES,
      () => '/v2.1/os-hypervisors/detail',
      () => ADMIN,
      (b: { hypervisors: unknown[] }) => b.hypervisors.length,
    ),
  );
  const end = new Date();
  const start = new Date(end.getTime() - 24 * 3600 * 1000);
  const usage = `/v2.1/os-simple-tenant-usage?start=${start.toISOString().slice(0, 19)}&end=${end
    .toISOString()
    .slice(0, 19)}`;
  reads.set(
    'GET /os-simple-tenant-usage (admin, all projects, last 24 h)',
    await timed(
      http,
      HEAVY_SAMPLES,
      () => usage,
      () => ADMIN,
      (b: { tenant_usages: unknown[] }) => b.tenant_usages.length,
    ),
  );
  stack.assertAlive();
}

function mib(n: number): string {
  return `${n.toFixed(0)} MiB`;
}

function printTables(): void {
  notes.push(`load average at end: ${loadAverage()}`);
  console.log(
    `\nscale benchmark: real processes on loopback (one MariaDB, one RabbitMQ, Redis); ` +
      `cells grown ${STEPS.join(' -> ')}; ${HOSTS_PER_CELL} hosts per cell, of which ` +
      `${LIVE_HOSTS} live (one nova-compute process per cell, [fake_driver] host_count = ` +
      `${LIVE_HOSTS}, spawn_delay_ms = 0) and ${SIM_HOSTS} simulated (seeded disabled services, ` +
      `nodes, host mappings, providers); ${PER_CELL} ACTIVE instances seeded into each cell as ` +
      `it is added (${PROJECTS} projects in turn); ${BOOTS} servers booted through the API at ` +
      `every step (project demo, they stay)`,
  );
  for (const n of notes) {
    console.log(`  ${n}`);
  }
  if (results.length === 0) {
    return;
  }
  const head = ['', ...results.map((r) => `${r.cells} cells`)];
  const main = new Table({ head, style: { head: [], border: [] } });
  main.push([
    'instances (seeded + booted)',
    ...results.map((r) => `${r.seededInstances} + ${r.bootedInstances}`),
  ]);
  main.push([
    'hosts (live + simulated)',
    ...results.map((r) => `${r.cells * LIVE_HOSTS} + ${r.cells * SIM_HOSTS}`),
  ]);
  main.push(['seeding the added cells', ...results.map((r) => `${r.seedSeconds.toFixed(0)} s`)]);
  main.push([
    `boot ${BOOTS}: servers/s`,
    ...results.map((r) =>
      r.boot
        ? `${r.boot.perSecond.toFixed(1)}/s${r.boot.errors ? ` (${r.boot.errors} failed)` : ''}`
        : '',
    ),
  ]);
  main.push([
    'boot: create -> ACTIVE p50 / p99',
    ...results.map((r) => (r.boot ? `${fmt(r.boot.p50)} / ${fmt(r.boot.p99)}` : '')),
  ]);
  const reads = [...new Set(results.flatMap((r) => [...r.reads.keys()]))];
  for (const key of reads) {
    main.push([
      `${key} p50 / p99 [items]`,
      ...results.map((r) => {
        const t = r.reads.get(key);
        return t ? `${fmt(t.p50)} / ${fmt(t.p99)} [${t.items}]` : '';
      }),
    ]);
  }
  main.push(['load average (1, 5, 15 min)', ...results.map((r) => r.load)]);
  console.log(main.toString());

  if (results.length > 1) {
    const cost = new Table({
      head: [
        'p50 cost per added cell',
        ...results.slice(1).map((r, i) => `${results[i].cells} -> ${r.cells}`),
      ],
      style: { head: [], border: [] },
    });
    for (const key of reads) {
      cost.push([
        key,
        ...results.slice(1).map((r, i) => {
          const a = results[i].reads.get(key);
          const b = r.reads.get(key);
          return a && b ? `${fmt((b.p50 - a.p50) / (r.cells - results[i].cells))}/cell` : '';
        }),
      ]);
    }
    console.log(cost.toString());
  }

  const mem = new Table({
    head: ['RSS now: sum (max) [processes], CPU s so far', ...head.slice(1)],
    style: { head: [], border: [] },
  });
  const roles = results[0].rss.map((g) => g.role);
  for (const role of roles) {
    mem.push([
      role,
      ...results.map((r) => {
        const g = r.rss.find((x) => x.role === role);
        return g && g.count > 0
          ? `${mib(g.sum)} (${mib(g.max)}) [${g.count}], ${g.cpu.toFixed(0)} s`
          : '';
      }),
    ]);
  }
  mem.push([
    'all',
    ...results.map(
      (r) =>
        `${mib(r.rss.reduce((a, g) => a + g.sum, 0))}, ${r.rss.reduce((a, g) => a + g.cpu, 0).toFixed(0)} s`,
    ),
  ]);
  mem.push([
    'all, PSS (shared pages once)',
    ...results.map((r) => mib(r.rss.reduce((a, g) => a + g.pss, 0))),
  ]);
  console.log(mem.toString());

  const idle = new Table({
    head: [`idle CPU over ${IDLE_SECONDS} s: cores (per process)`, ...head.slice(1)],
    style: { head: [], border: [] },
  });
  for (const role of roles) {
    idle.push([
      role,
      ...results.map((r) => {
        const g = r.idle?.find((x) => x.role === role);
        return g && g.count > 0
          ? `${g.cores.toFixed(3)} (${((g.cores / g.count) * 100).toFixed(2)} % each)`
          : '';
      }),
    ]);
  }
  idle.push([
    'all',
    ...results.map((r) => (r.idle ? r.idle.reduce((a, g) => a + g.cores, 0).toFixed(3) : '')),
  ]);
  console.log(idle.toString());

  const conns = new Table({
    head: ['open connections', ...head.slice(1)],
    style: { head: [], border: [] },
  });
  conns.push([
    'MariaDB: total (API db / cell0 / cells sum, max per cell)',
    ...results.map((r) =>
      r.db
        ? `${r.db.total} (${r.db.api} / ${r.db.cell0} / ${r.db.cellsSum}, ${r.db.cellsMax})`
        : '',
    ),
  ]);
  conns.push([
    'RabbitMQ: total (API vhost / cells sum, max per cell)',
    ...results.map((r) =>
      r.amqp ? `${r.amqp.total} (${r.amqp.api} / ${r.amqp.cellsSum}, ${r.amqp.cellsMax})` : '',
    ),
  ]);
  console.log(conns.toString());
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
