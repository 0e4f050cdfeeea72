/**
 * npm run bench:servers — the servers API on the real multi-process stack on
 * loopback: nova-api (noauth2), `nova-conductor --super`, nova-scheduler, a
 * nova-conductor per cell and one fake nova-compute process per cell running
 * several hosts ([fake_driver] host_count, spawn_delay_ms = 0), over MariaDB,
 * RabbitMQ (a vhost per cell plus the API level) and Redis. Servers are created
 * and listed by one project (token demo:demo), as Nova's figures were.
 *
 * Measures create -> ACTIVE, 100 servers at once up and down, GET
 * /servers/{id} against its floor (floor-server.ts), both warm (its first
 * requests are reported apart), GET /servers/detail with 0, 100 and 500 servers (the 500's first
 * requests after their batch reported apart too), detail?limit=50
 * under 8 clients (autocannon, BENCH_SECONDS, default 10, after 3 s unmeasured) and every process's
 * RSS, and prints them next to Nova Zed's figures and the targets; never asserts.
 * Everything it made (processes, databases, vhosts, Redis keys) goes at the end,
 * also on failure or Ctrl-C; service logs are kept only for a failed run.
 *
 * Environment: BENCH_SECONDS (autocannon duration, 10), BENCH_HOSTS_PER_CELL
 * (fake hosts in each cell's compute process, 5), BENCH_LOG_LEVEL (services,
 * info), BENCH_API_LOG_LEVEL (nova-api, warn: no access log while measuring),
 * BENCH_KEEP_LOGS=1 (keep the service logs of a successful run too),
 * BENCH_API_WORKERS (nova-api's osapi_compute_workers; default one per CPU).
 */
import 'reflect-metadata';
import { cpus } from 'node:os';
import type autocannon from 'autocannon';
import { load } from './load';
import Table from 'cli-table3';
import { cpuPerRequest, stackServices } from './cpu-split';
import { withFloorServer } from './floor';
import { ApiHttp } from './http-client';
import { sleep, Stack, treeUsage, type Sections } from '../lib/stack';
import { BenchNetwork } from './neutron-network';
import { fmt, loadAverage, percentile } from './stats';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CLIENTS = 8;
const CELLS = ['cell1', 'cell2'];
const HOSTS_PER_CELL = Number(process.env['BENCH_HOSTS_PER_CELL'] ?? 5);
/** Shows measured (cold, then warm), and those between them that only warm up. */
const SHOWS = 2000;
const WARM_SHOWS = 6000;
/** Seconds of the same load, unmeasured, before each throughput run. */
const WARM_SECONDS = 3;
const SEQUENTIAL_CREATES = 30;
/** 500-server detail lists: measured right after the batch, then (after twice as many) again. */
const DETAILS_500 = 100;
const SHELVE_ROUNDS = 10;
const DELETE_CONCURRENCY = 10;
const ADMIN = 'admin:admin';
const MEMBER = 'demo:demo';
const FLAVOR = 'bench-tiny';

interface Row {
  measure: string;
  ours: string;
  target: string;
  /** Whether the target is met; undefined: no target. */
  met?: boolean;
  nova: string;
}

interface ServerBrief {
  id: string;
  status: string;
  'OS-EXT-STS:task_state'?: string | null;
  'OS-SRV-USG:launched_at'?: string | null;
  fault?: { message?: string; code?: number };
}

const rows: Row[] = [];
const rss: Array<{
  label: string;
  pid: number;
  idle?: number;
  loaded?: number;
  now?: number;
  peak?: number;
  /** PSS by phase: shared pages (the node binary) counted once across the services. */
  pss: Partial<Record<'idle' | 'loaded' | 'now', number>>;
  /** The process and its workers. */
  processes?: number;
}> = [];
const notes: string[] = [];

function progress(msg: string): void {
  process.stderr.write(`· ${msg}\n`);
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function mib(n: number | undefined): string {
  return n === undefined ? '' : `${n.toFixed(0)} MiB`;
}

/** One client, one request at a time; every response must have status `ok`. */
async function sequential(
  count: number,
  request: (i: number) => Promise<{ status: number; text: string }>,
  ok = 200,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const res = await request(i);
    samples.push(performance.now() - start);
    if (res.status !== ok) {
      throw new Error(`request ${i}: HTTP ${res.status}: ${res.text.slice(0, 800)}`);
    }
  }
  return samples;
}

/** `count` requests timed, `warm` more untimed, then `count` timed again: the first ones and the steady state. */
async function firstAndSteady(
  count: number,
  warm: number,
  request: (i: number) => Promise<{ status: number; text: string }>,
): Promise<{ first: number[]; steady: number[] }> {
  const first = await sequential(count, request);
  await sequential(warm, request);
  return { first, steady: await sequential(count, request) };
}

/** Run `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        await fn(items[next++]);
      }
    }),
  );
}

/** The bench's stack: CELLS x HOSTS_PER_CELL fake hosts with room for every server. */
function newStack(extra: Sections = {}): Stack {
  const base: Sections = {
    scheduler: { discover_hosts_in_cells_interval: '1' },
    // Room for 650+ tiny servers on every host, whatever the scheduler's spread.
    fake_driver: {
      host_count: String(HOSTS_PER_CELL),
      vcpus: '256',
      memory_mb: '262144',
      local_gb: '4000',
      spawn_delay_ms: '0',
    },
    quota: { instances: '-1', cores: '-1', ram: '-1' },
  };
  if (process.env['BENCH_API_WORKERS']) {
    base['DEFAULT'] = { osapi_compute_workers: process.env['BENCH_API_WORKERS'] };
  }
  for (const [section, values] of Object.entries(extra)) {
    base[section] = { ...base[section], ...values };
  }
  return new Stack({
    cells: CELLS,
    // 2: one `nova-conductor --cell cell1 --cell cell2` instead of one per cell.
    cellsPerConductor: Number(process.env['BENCH_CELLS_PER_CONDUCTOR'] ?? 1),
    hostsPerCell: HOSTS_PER_CELL,
    apiLogLevel: process.env['BENCH_API_LOG_LEVEL'] ?? 'warn',
    serviceLogLevel: process.env['BENCH_LOG_LEVEL'] ?? 'info',
    extra: base,
  });
}

/** Neutron's figure (or why there is none), measured before the flat run. */
let onNeutron: { createTimes: number[] } | { skipped: string } = { skipped: 'not run' };

async function main(): Promise<number> {
  notes.push(`load average at start: ${loadAverage()} (${cpus().length} CPUs)`);
  if (process.env['BENCH_NEUTRON'] !== '0') {
    onNeutron = await measureOnNeutron();
  }
  const stack = newStack();
  let interrupted = false;
  const onSignal = (signal: string) => {
    interrupted = true;
    console.error(`\n${signal}: cleaning up`);
    void stack.cleanup(true).finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));

  let failed = false;
  let http: ApiHttp | undefined;
  try {
    await stack.setUp(progress);
    await stack.start(progress);
    progress(`waiting for ${CELLS.length * HOSTS_PER_CELL} hosts to be mapped, with providers`);
    await stack.waitForHosts(CELLS.length * HOSTS_PER_CELL);
    http = new ApiHttp(stack.base);
    await run(stack, http);
  } catch (err) {
    failed = true;
    if (interrupted) {
      return 130;
    }
    console.error('\nbench failed:', err instanceof Error ? (err.stack ?? err.message) : err);
    stack.printLogs();
  } finally {
    printTables(stack);
    printLogProblems(stack);
    http?.close();
    progress('cleaning up (processes, databases, vhosts, Redis keys)');
    await stack.cleanup(failed || process.env['BENCH_KEEP_LOGS'] === '1');
  }
  return failed ? 1 : 0;
}

/**
 * create -> ACTIVE on Neutron ports: the same stack with `[neutron]` set, each
 * server on a port of a network of the project's (the real neutron-server
 * without agents, so no vif-plugged wait), its port deleted with it.
 */
async function measureOnNeutron(): Promise<{ createTimes: number[] } | { skipped: string }> {
  const network = await BenchNetwork.create('demo', `bench-${process.pid}`);
  if (typeof network === 'string') {
    return { skipped: network };
  }
  const stack = newStack(BenchNetwork.sections());
  let failed = false;
  try {
    await stack.setUp(progress);
    await stack.start(progress);
    await stack.waitForHosts(CELLS.length * HOSTS_PER_CELL);
    const http = new ApiHttp(stack.base);
    try {
      const image = await prepare(http);
      progress(`create -> ACTIVE on Neutron ports: 2 warm-up + ${SEQUENTIAL_CREATES} creates`);
      const { ids, createTimes } = await sequentialCreates(stack, http, (i) => ({
        server: {
          name: `port-${i}`,
          imageRef: image.id,
          flavorRef: FLAVOR,
          networks: [{ uuid: network.id }],
        },
      }));
      await deleteServers(stack, http, ids, []);
      return { createTimes };
    } finally {
      http.close();
    }
  } catch (err) {
    failed = true;
    stack.printLogs();
    return { skipped: `failed: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    await stack.cleanup(failed);
    await network.remove();
  }
}

/** The bench flavor, and the first image the API lists. */
async function prepare(http: ApiHttp): Promise<{ id: string; name: string }> {
  await http.expect(200, 'POST', '/v2.1/flavors', {
    token: ADMIN,
    body: { flavor: { name: 'bench.tiny', id: FLAVOR, vcpus: 1, ram: 64, disk: 1 } },
  });
  const images = (await http.expect(200, 'GET', '/v2.1/images', { token: MEMBER })).json<{
    images: Array<{ id: string; name: string }>;
  }>().images;
  const image = images[0];
  if (!image) {
    throw new Error('GET /v2.1/images: no image');
  }
  return image;
}

async function run(stack: Stack, http: ApiHttp): Promise<void> {
  const image = await prepare(http);
  notes.push(`image ${image.name} (${image.id}), flavor ${FLAVOR} (1 vCPU, 64 MiB, 1 GiB)`);
  snapshotRss(stack, 'idle');

  const server = (name: string, extra: Record<string, unknown> = {}) => ({
    server: { name, imageRef: image.id, flavorRef: FLAVOR, ...extra },
  });

  // --- Calibration: the cheapest API call through the same client and loopback.
  progress('GET /v2.1/ (version document), 1 client');
  const version = await sequential(1000, () => http.get('/v2.1/', MEMBER));
  rows.push({
    measure: 'GET /v2.1/ (version document), 1 client (calibration)',
    ours: `p50 ${fmt(percentile(version, 50))}, p99 ${fmt(percentile(version, 99))}`,
    target: '',
    nova: '1.6 ms p50',
  });

  // --- GET /servers/detail with no servers.
  progress('GET /servers/detail, 0 servers');
  const empty = await sequential(300, () => http.get('/v2.1/servers/detail', MEMBER));
  rows.push({
    measure: 'GET /servers/detail, 0 servers, 1 client',
    ours: `p50 ${fmt(percentile(empty, 50))}, p95 ${fmt(percentile(empty, 95))}`,
    target: '',
    nova: '28.9 ms p50',
  });

  // --- create -> ACTIVE, one server at a time.
  progress(`create -> ACTIVE: 2 warm-up + ${SEQUENTIAL_CREATES} sequential creates`);
  const {
    ids: singles,
    createTimes,
    postTimes,
    walls,
  } = await sequentialCreates(stack, http, (i) => server(`single-${i}`));
  const phases = await createPhases(http, walls);
  const c50 = percentile(createTimes, 50);
  rows.push({
    measure: `create -> ACTIVE, fake driver (${SEQUENTIAL_CREATES} sequential, polled every 2 ms)`,
    ours: `p50 ${fmt(c50)}, p95 ${fmt(percentile(createTimes, 95))}`,
    target: 'p50 <= 40 ms',
    met: c50 <= 40,
    nova: '1.1–1.4 s',
  });
  rows.push({
    measure: '  of which POST /servers -> 202',
    ours: `p50 ${fmt(percentile(postTimes, 50))}, p95 ${fmt(percentile(postTimes, 95))}`,
    target: '',
    nova: '',
  });
  for (const [measure, times] of [
    ['  of which 202 -> the compute starts the build', phases.scheduling],
    ['  of which the build (network, spawn) -> launched_at', phases.building],
    ['  of which launched_at -> ACTIVE seen (last write, polling)', phases.reporting],
  ] as const) {
    rows.push({
      measure,
      ours: `p50 ${fmt(percentile(times, 50))}, p95 ${fmt(percentile(times, 95))}`,
      target: '',
      nova: '',
    });
  }
  rows.push({
    measure: `create -> ACTIVE on Neutron ports (${SEQUENTIAL_CREATES} sequential, no agents)`,
    ours:
      'createTimes' in onNeutron
        ? `p50 ${fmt(percentile(onNeutron.createTimes, 50))}, p95 ${fmt(percentile(onNeutron.createTimes, 95))}`
        : onNeutron.skipped,
    target: '',
    nova: '',
  });
  // --- rebuild -> ACTIVE (same image: the guest is destroyed and spawned again).
  progress(`rebuild -> ACTIVE, ${SHELVE_ROUNDS} servers in turn`);
  const rebuildTimes: number[] = [];
  for (const id of singles.slice(0, SHELVE_ROUNDS)) {
    const start = performance.now();
    await http.expect(202, 'POST', `/v2.1/servers/${id}/action`, {
      token: MEMBER,
      body: { rebuild: { imageRef: image.id } },
    });
    await waitStatus(stack, http, id, 'ACTIVE');
    rebuildTimes.push(performance.now() - start);
  }
  rows.push({
    measure: `rebuild -> ACTIVE (${SHELVE_ROUNDS} in turn)`,
    ours: `p50 ${fmt(percentile(rebuildTimes, 50))}, p95 ${fmt(percentile(rebuildTimes, 95))}`,
    target: '',
    nova: '',
  });

  // --- shelve -> SHELVED_OFFLOADED (shelved_offload_time 0) and unshelve -> ACTIVE.
  progress(`shelve -> SHELVED_OFFLOADED and unshelve -> ACTIVE, ${SHELVE_ROUNDS} servers in turn`);
  const shelveTimes: number[] = [];
  const unshelveTimes: number[] = [];
  for (const id of singles.slice(0, SHELVE_ROUNDS)) {
    let start = performance.now();
    await http.expect(202, 'POST', `/v2.1/servers/${id}/action`, {
      token: MEMBER,
      body: { shelve: null },
    });
    await waitStatus(stack, http, id, 'SHELVED_OFFLOADED');
    shelveTimes.push(performance.now() - start);
    start = performance.now();
    await http.expect(202, 'POST', `/v2.1/servers/${id}/action`, {
      token: MEMBER,
      body: { unshelve: null },
    });
    await waitStatus(stack, http, id, 'ACTIVE');
    unshelveTimes.push(performance.now() - start);
  }
  rows.push({
    measure: `shelve -> SHELVED_OFFLOADED (snapshot, offload; ${SHELVE_ROUNDS} in turn)`,
    ours: `p50 ${fmt(percentile(shelveTimes, 50))}, p95 ${fmt(percentile(shelveTimes, 95))}`,
    target: '',
    nova: '',
  });
  rows.push({
    measure: `unshelve -> ACTIVE (scheduled again, spawned; ${SHELVE_ROUNDS} in turn)`,
    ours: `p50 ${fmt(percentile(unshelveTimes, 50))}, p95 ${fmt(percentile(unshelveTimes, 95))}`,
    target: '',
    nova: '',
  });

  progress(`deleting the ${singles.length} single servers (not timed)`);
  await deleteServers(stack, http, singles, []);

  // --- 100 servers in one POST.
  progress('100 servers (one POST, min_count = max_count = 100) -> all ACTIVE');
  const batch = await createBatches(stack, http, server, 1, 100);
  rows.push({
    measure: '100 servers (one POST, min_count=100) -> all ACTIVE',
    ours: `${secs(batch.ms)}${batch.summary}`,
    target: '<= 3 s',
    met: batch.ms <= 3000 && batch.errors === 0,
    nova: '86.5 s',
  });
  notes.push(`100-server batch: ${batch.perCell}`);

  // --- GET /servers/{id}. The first requests after the batch are measured
  // apart: nova-api's show path is still being compiled then (its CPU per show
  // falls about threefold over the first few thousand), and the floor, a
  // fresh process too, gets the same warm-up before its steady state is held
  // against the show's.
  progress(
    `GET /servers/{id}, 1 client (${SHOWS} requests over the 100 servers, then ${WARM_SHOWS} more, then ${SHOWS} measured)`,
  );
  const show = (i: number) => http.get(`/v2.1/servers/${batch.ids[i % batch.ids.length]}`, MEMBER);
  const { first: cold, steady: one } = await firstAndSteady(SHOWS, WARM_SHOWS, show);
  const g50 = percentile(one, 50);
  // The issue's floor for a show, measured now, with the same client and servers.
  progress(
    `floor: a Node server doing one Redis GET and one primary-key SELECT (${WARM_SHOWS} warm-up, ${SHOWS} measured)`,
  );
  const floor = await withFloorServer(stack, CELLS[0], async (f) => {
    await sequential(WARM_SHOWS, () => f.get('/'));
    return sequential(SHOWS, () => f.get('/'));
  });
  const f50 = percentile(floor, 50);
  rows.push({
    measure: `floor: HTTP to a Node server + Redis GET + primary-key SELECT (${CELLS[0]})`,
    ours: `p50 ${fmt(f50)}, p99 ${fmt(percentile(floor, 99))}`,
    target: '',
    nova: '',
  });
  rows.push({
    measure: `GET /servers/{id}, 1 client, first ${SHOWS} after the batch (warming up)`,
    // No ratio: the floor is only measured warm.
    ours: `p50 ${fmt(percentile(cold, 50))}, p99 ${fmt(percentile(cold, 99))}`,
    target: '',
    nova: '',
  });
  rows.push({
    measure: `GET /servers/{id}, 1 client, warm (after ${SHOWS + WARM_SHOWS})`,
    ours: `p50 ${fmt(g50)}, p99 ${fmt(percentile(one, 99))} (${(g50 / f50).toFixed(2)}x the floor)`,
    target: `p50 <= 2x floor (${fmt(2 * f50)})`,
    met: g50 <= 2 * f50,
    nova: '42.8 ms p50',
  });

  // --- Lists with 100 servers.
  progress('GET /servers/detail and /servers, 100 servers, 1 client');
  const detail100 = await sequential(300, () => http.get('/v2.1/servers/detail', MEMBER));
  await expectCount(http, '/v2.1/servers/detail', 100);
  const d50 = percentile(detail100, 50);
  rows.push({
    measure: 'GET /servers/detail, 100 servers in 2 cells, 1 client',
    ours: `p50 ${fmt(d50)}, p95 ${fmt(percentile(detail100, 95))}`,
    target: 'p50 <= 8 ms',
    met: d50 <= 8,
    nova: '219 ms p50',
  });
  const brief100 = await sequential(300, () => http.get('/v2.1/servers', MEMBER));
  rows.push({
    measure: 'GET /servers (no detail), 100 servers, 1 client',
    ours: `p50 ${fmt(percentile(brief100, 50))}, p95 ${fmt(percentile(brief100, 95))}`,
    target: '',
    nova: '102 ms p50',
  });
  progress(`GET /servers/detail?limit=50, 100 servers, ${CLIENTS} clients, ${SECONDS} s`);
  const paged100 = await hammer(stack, '/v2.1/servers/detail?limit=50');
  rows.push({
    measure: `GET /servers/detail?limit=50, 100 servers, ${CLIENTS} clients`,
    ours: paged100.text,
    target: '>= 500 req/s',
    met: paged100.rps >= 500 && paged100.bad === 0,
    nova: '13.8 req/s',
  });
  rows.push({ measure: '  where its CPU went', ours: paged100.cpu, target: '', nova: '' });

  // --- Delete the 100.
  progress(`deleting the 100 servers (${DELETE_CONCURRENCY} concurrent DELETEs) until gone`);
  const gone100 = await deleteServers(stack, http, batch.ids, batch.reservations);
  rows.push({
    measure: `delete 100 servers (${DELETE_CONCURRENCY} concurrent) until gone`,
    ours: `${secs(gone100.ms)}${gone100.summary}`,
    target: '<= 3 s',
    met: gone100.ms <= 3000 && gone100.problems === 0,
    nova: '42.4 s',
  });

  // --- 500 servers.
  progress('500 servers (5 POSTs of min_count=100) -> all ACTIVE');
  const big = await createBatches(stack, http, server, 5, 100);
  rows.push({
    measure: '500 servers (5 POSTs of min_count=100) -> all ACTIVE',
    ours: `${secs(big.ms)}${big.summary}`,
    target: '',
    nova: '',
  });
  notes.push(`500 servers: ${big.perCell}`);
  // Right after the batch the services still settle (the computes' and
  // conductors' last writes, MariaDB flushing them): those requests are
  // reported apart, as the show's first ones are, and the target is held
  // against the requests after them.
  progress(
    `GET /servers/detail, 500 servers, 1 client (${DETAILS_500} right after the batch, ${2 * DETAILS_500} more, then ${DETAILS_500} measured)`,
  );
  const { first: settling500, steady: detail500 } = await firstAndSteady(
    DETAILS_500,
    2 * DETAILS_500,
    () => http.get('/v2.1/servers/detail', MEMBER),
  );
  await expectCount(http, '/v2.1/servers/detail', 500);
  const d500 = percentile(detail500, 50);
  rows.push({
    measure: `GET /servers/detail, 500 servers in 2 cells, 1 client, first ${DETAILS_500} after the batch`,
    ours: `p50 ${fmt(percentile(settling500, 50))}, p95 ${fmt(percentile(settling500, 95))}`,
    target: '',
    nova: '',
  });
  rows.push({
    measure: `GET /servers/detail, 500 servers in 2 cells, 1 client (after ${3 * DETAILS_500})`,
    ours: `p50 ${fmt(d500)}, p95 ${fmt(percentile(detail500, 95))}`,
    target: 'p50 <= 20 ms',
    met: d500 <= 20,
    nova: '531 ms / 1838 ms',
  });
  const paged500one = await sequential(300, () =>
    http.get('/v2.1/servers/detail?limit=50', MEMBER),
  );
  rows.push({
    measure: 'GET /servers/detail?limit=50, 500 servers, 1 client',
    ours: `p50 ${fmt(percentile(paged500one, 50))}, p95 ${fmt(percentile(paged500one, 95))}`,
    target: '',
    nova: '99 ms p50',
  });
  progress(`GET /servers/detail?limit=50, 500 servers, ${CLIENTS} clients, ${SECONDS} s`);
  const paged500 = await hammer(stack, '/v2.1/servers/detail?limit=50');
  rows.push({
    measure: `GET /servers/detail?limit=50, 500 servers, ${CLIENTS} clients`,
    ours: paged500.text,
    target: '',
    nova: '15.0 req/s',
  });
  rows.push({ measure: '  where its CPU went', ours: paged500.cpu, target: '', nova: '' });
  snapshotRss(stack, 'loaded');

  progress(`deleting the 500 servers (${DELETE_CONCURRENCY} concurrent DELETEs) until gone`);
  const gone500 = await deleteServers(stack, http, big.ids, big.reservations, 600_000);
  rows.push({
    measure: `delete 500 servers (${DELETE_CONCURRENCY} concurrent) until gone`,
    ours: `${secs(gone500.ms)}${gone500.summary}`,
    target: '',
    nova: '482 s',
  });
}

/** 2 warm-up + SEQUENTIAL_CREATES creates, each polled to ACTIVE before the next. */
async function sequentialCreates(
  stack: Stack,
  http: ApiHttp,
  body: (i: number) => unknown,
): Promise<{ ids: string[]; createTimes: number[]; postTimes: number[]; walls: CreateWall[] }> {
  const ids: string[] = [];
  const createTimes: number[] = [];
  const postTimes: number[] = [];
  const walls: CreateWall[] = [];
  for (let i = 0; i < SEQUENTIAL_CREATES + 2; i++) {
    const start = performance.now();
    const res = await http.expect(202, 'POST', '/v2.1/servers', { token: MEMBER, body: body(i) });
    const accepted = performance.now();
    const acceptedWall = Date.now();
    const id = res.json<{ server: { id: string } }>().server.id;
    ids.push(id);
    const active = await waitActive(stack, http, id);
    if (i >= 2) {
      createTimes.push(performance.now() - start);
      postTimes.push(accepted - start);
      const launched = active['OS-SRV-USG:launched_at'] ?? null;
      walls.push({ id, accepted: acceptedWall, launched, seen: Date.now() });
    }
  }
  return { ids, createTimes, postTimes, walls };
}

/** When the bench had a create's 202 and saw the server ACTIVE (wall clock, ms), and its launched_at. */
interface CreateWall {
  readonly id: string;
  readonly accepted: number;
  readonly launched: string | null;
  readonly seen: number;
}

/** A server timestamp (UTC, no zone: 2026-12-06T14:57:10.123000) in ms. */
const serverTime = (s: string): number => Date.parse(`${s}Z`);

/**
 * Where a create's time went, from what the servers record (millisecond
 * timestamps, one machine's clock): the 202 to the compute starting the build
 * (its compute_build_and_run_instance event: super conductor, scheduler and
 * claim, cell conductor, three RPC hops), the build itself to launched_at
 * (network, spawn, state writes), and launched_at to the bench seeing ACTIVE
 * (the ACTIVE write through the cell conductor, and polling).
 */
async function createPhases(http: ApiHttp, walls: readonly CreateWall[]) {
  const phases = {
    scheduling: [] as number[],
    building: [] as number[],
    reporting: [] as number[],
  };
  for (const wall of walls) {
    const actions = await http.expect(200, 'GET', `/v2.1/servers/${wall.id}/os-instance-actions`, {
      token: ADMIN,
    });
    const create = actions
      .json<{ instanceActions: Array<{ action: string; request_id: string }> }>()
      .instanceActions.find((a) => a.action === 'create');
    if (!create) {
      continue;
    }
    const detail = await http.expect(
      200,
      'GET',
      `/v2.1/servers/${wall.id}/os-instance-actions/${create.request_id}`,
      { token: ADMIN },
    );
    const build = detail
      .json<{ instanceAction: { events?: Array<{ event: string; start_time: string }> } }>()
      .instanceAction.events?.find((e) => e.event === 'compute_build_and_run_instance');
    const launched = wall.launched;
    if (!build || !launched) {
      continue;
    }
    phases.scheduling.push(serverTime(build.start_time) - wall.accepted);
    phases.building.push(serverTime(launched) - serverTime(build.start_time));
    phases.reporting.push(wall.seen - serverTime(launched));
  }
  return phases;
}

/** Poll GET /servers/{id} every ~2 ms until ACTIVE; ERROR or a timeout throws. */
function waitActive(stack: Stack, http: ApiHttp, id: string, timeoutMs = 30_000) {
  return waitStatus(stack, http, id, 'ACTIVE', timeoutMs);
}

/**
 * Poll GET /servers/{id} every ~2 ms until `status` with no task, and return the
 * server as then shown; ERROR or a timeout throws.
 */
async function waitStatus(
  stack: Stack,
  http: ApiHttp,
  id: string,
  status: string,
  timeoutMs = 30_000,
): Promise<ServerBrief> {
  const started = performance.now();
  let last = '';
  for (;;) {
    const res = await http.get(`/v2.1/servers/${id}`, MEMBER);
    if (res.status === 200) {
      const s = res.json<{ server: ServerBrief }>().server;
      if (s.status === status && !s['OS-EXT-STS:task_state']) {
        return s;
      }
      if (s.status === 'ERROR') {
        throw new Error(`server ${id} went to ERROR: ${res.text.slice(0, 1200)}`);
      }
      last = s.status;
    } else {
      last = `HTTP ${res.status}: ${res.text.slice(0, 400)}`;
    }
    if (performance.now() - started > timeoutMs) {
      throw new Error(`server ${id} not ${status} within ${timeoutMs} ms (last: ${last})`);
    }
    stack.assertAlive();
    await sleep(2);
  }
}

/**
 * `posts` POSTs of min_count = max_count = `count` (return_reservation_id), then
 * poll each reservation's detail list until all its servers are ACTIVE or ERROR.
 */
async function createBatches(
  stack: Stack,
  http: ApiHttp,
  server: (name: string, extra: Record<string, unknown>) => unknown,
  posts: number,
  count: number,
  timeoutMs = 300_000,
) {
  const start = performance.now();
  const reservations: string[] = [];
  for (let i = 0; i < posts; i++) {
    const res = await http.expect(202, 'POST', '/v2.1/servers', {
      token: MEMBER,
      body: server(`batch-${Date.now()}-${i}`, {
        min_count: count,
        max_count: count,
        return_reservation_id: true,
      }),
    });
    reservations.push(res.json<{ reservation_id: string }>().reservation_id);
  }
  const done = new Map<string, ServerBrief[]>();
  let status = '';
  await stack.waitUntil(
    `${posts * count} servers ACTIVE`,
    timeoutMs,
    async () => {
      for (const r of reservations.filter((r) => !done.has(r))) {
        const res = await http.expect(200, 'GET', `/v2.1/servers/detail?reservation_id=${r}`, {
          token: MEMBER,
        });
        const servers = res.json<{ servers: ServerBrief[] }>().servers;
        const counts = new Map<string, number>();
        for (const s of servers) {
          counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
        }
        status = `${r}: ${servers.length} listed, ${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}`;
        if (
          servers.length >= count &&
          servers.every((s) => s.status === 'ACTIVE' || s.status === 'ERROR')
        ) {
          done.set(r, servers);
        }
      }
      return done.size === reservations.length;
    },
    () => status,
    20,
  );
  const ms = performance.now() - start;
  const byId = new Map([...done.values()].flat().map((s) => [s.id, s]));
  const all = [...byId.values()];
  if (all.length !== posts * count) {
    notes.push(`${posts} reservations listed ${all.length} servers, not ${posts * count}`);
  }
  const errored = all.filter((s) => s.status === 'ERROR');
  const summary =
    errored.length > 0
      ? ` (${errored.length} ERROR: ${errored[0]?.fault?.message ?? 'no fault'})`
      : '';
  if (errored.length > 0) {
    console.error(`!! ${errored.length} servers in ERROR; first: ${JSON.stringify(errored[0])}`);
  }
  // Where they landed (admin sees the host).
  const hosts = (
    await http.expect(200, 'GET', '/v2.1/servers/detail?all_tenants=1', { token: ADMIN })
  ).json<{ servers: Array<{ id: string; 'OS-EXT-SRV-ATTR:host'?: string | null }> }>().servers;
  const mine = new Set(all.map((s) => s.id));
  const perCell = new Map<string, number>();
  for (const s of hosts.filter((h) => mine.has(h.id))) {
    const cell = (s['OS-EXT-SRV-ATTR:host'] ?? 'no host').split('-')[0];
    perCell.set(cell, (perCell.get(cell) ?? 0) + 1);
  }
  return {
    ms,
    ids: all.map((s) => s.id),
    reservations,
    errors: errored.length,
    summary,
    perCell: [...perCell].map(([k, v]) => `${k} ${v}`).join(', '),
  };
}

/**
 * DELETE every server (DELETE_CONCURRENCY at a time), then poll until none is
 * left: the reservations' lists empty, or (no reservations) each GET a 404.
 * The time runs from the first DELETE to the poll that shows none left.
 */
async function deleteServers(
  stack: Stack,
  http: ApiHttp,
  ids: readonly string[],
  reservations: readonly string[],
  timeoutMs = 180_000,
) {
  const start = performance.now();
  const failures: string[] = [];
  await pool(ids, DELETE_CONCURRENCY, async (id) => {
    const res = await http.call('DELETE', `/v2.1/servers/${id}`, { token: MEMBER });
    if (res.status !== 204 && res.status !== 404) {
      failures.push(`DELETE ${id}: HTTP ${res.status} ${res.text.slice(0, 400)}`);
    }
  });
  const left = new Set(ids);
  let status = '';
  await stack.waitUntil(
    `${ids.length} servers gone`,
    timeoutMs,
    async () => {
      if (reservations.length > 0) {
        let listed = 0;
        for (const r of reservations) {
          const res = await http.expect(200, 'GET', `/v2.1/servers?reservation_id=${r}`, {
            token: MEMBER,
          });
          listed += res.json<{ servers: unknown[] }>().servers.length;
        }
        status = `${listed} still listed`;
        return listed === 0;
      }
      for (const id of [...left]) {
        if ((await http.get(`/v2.1/servers/${id}`, MEMBER)).status === 404) {
          left.delete(id);
        }
      }
      status = `${left.size} not 404 yet`;
      return left.size === 0;
    },
    () => status,
    20,
  );
  const ms = performance.now() - start;
  // Not timed: each one really 404s.
  let still = 0;
  if (reservations.length > 0) {
    await pool(ids, DELETE_CONCURRENCY, async (id) => {
      const res = await http.get(`/v2.1/servers/${id}`, MEMBER);
      if (res.status !== 404) {
        still++;
        if (still === 1) {
          failures.push(`GET ${id} after delete: HTTP ${res.status} ${res.text.slice(0, 300)}`);
        }
      }
    });
  }
  for (const f of failures.slice(0, 5)) {
    console.error(`!! ${f}`);
  }
  const problems = failures.length + still;
  const summary = [
    failures.length > 0 ? `${failures.length} DELETE failures` : '',
    still > 0 ? `${still} not 404 after leaving the list` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return { ms, problems, summary: summary ? ` (${summary})` : '' };
}

async function expectCount(http: ApiHttp, path: string, count: number): Promise<void> {
  const n = (await http.expect(200, 'GET', path, { token: MEMBER })).json<{ servers: unknown[] }>()
    .servers.length;
  if (n !== count) {
    notes.push(`${path} listed ${n} servers where ${count} were expected`);
  }
}

async function hammer(stack: Stack, path: string) {
  const options: autocannon.Options = {
    url: `${stack.base}${path}`,
    connections: CLIENTS,
    duration: SECONDS,
    headers: { 'x-auth-token': MEMBER },
  };
  // Unmeasured first, as the show: the figure is the API's steady state.
  await load({ ...options, duration: WARM_SECONDS });
  const { result, text: cpu } = await cpuPerRequest(
    stackServices(stack),
    'bench client',
    () => load(options),
    (r) => r.requests.total,
  );
  stack.assertAlive();
  const bad = result.non2xx + result.errors + result.timeouts;
  const rps = result.requests.average;
  return {
    rps,
    bad,
    cpu,
    text:
      `${rps.toFixed(0)} req/s (p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms)` +
      (bad > 0 ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''),
  };
}

function snapshotRss(stack: Stack, phase: 'idle' | 'loaded' | 'now'): void {
  for (const p of stack.processes) {
    let entry = rss.find((e) => e.label === p.label);
    if (!entry) {
      entry = { label: p.label, pid: p.pid, pss: {} };
      rss.push(entry);
    }
    if (!p.alive) {
      continue;
    }
    // A process counts with its workers (nova-api's are children of its primary).
    const usage = treeUsage(p.pid);
    entry[phase] = usage.rss;
    entry.pss[phase] = usage.pss;
    entry.peak = usage.peak;
    entry.processes = usage.processes;
  }
}

function printTables(stack: Stack): void {
  notes.push(`load average at end: ${loadAverage()}`);
  snapshotRss(stack, 'now');
  const sum = (key: 'idle' | 'loaded' | 'now' | 'peak') =>
    rss.every((e) => e[key] === undefined) ? undefined : rss.reduce((n, e) => n + (e[key] ?? 0), 0);
  const total = { idle: sum('idle'), loaded: sum('loaded'), now: sum('now'), peak: sum('peak') };
  const pssSum = (key: 'idle' | 'loaded' | 'now') =>
    rss.every((e) => e.pss[key] === undefined)
      ? undefined
      : rss.reduce((n, e) => n + (e.pss[key] ?? 0), 0);
  const pss = { idle: pssSum('idle'), loaded: pssSum('loaded'), now: pssSum('now') };
  if (total.loaded !== undefined || total.now !== undefined) {
    // Judged on the RSS with 500 servers up (or at the end of a run cut short).
    const when = total.loaded !== undefined ? 'with 500 servers' : 'at end of run';
    const current = total.loaded ?? total.now ?? 0;
    rows.push({
      measure: `RSS, all ${rss.length} services with their workers (${when} / sum of peaks)`,
      ours: `${mib(current)} / ${mib(total.peak)}`,
      target: '<= 500 MiB',
      met: current <= 500,
      nova: '~2.5 GiB',
    });
    // Not judged: the target names RSS. Summed RSS counts the ~50 MiB of the
    // node binary each process maps once per process; PSS counts it once.
    rows.push({
      measure: `  the same as PSS (shared pages counted once: the memory they take together)`,
      ours: mib(pss.loaded ?? pss.now),
      target: '',
      nova: '',
    });
    const api = rss.find((e) => e.label === 'nova-api');
    if (api) {
      rows.push({
        measure: `RSS, nova-api with its workers (${when} / peak)`,
        ours: `${mib(api.loaded ?? api.now)} / ${mib(api.peak)}`,
        target: '',
        nova: '3465 MiB (5 workers)',
      });
    }
  }

  const table = new Table({
    head: ['measure', 'ours', 'target', 'met', 'Nova Zed'],
    style: { head: [], border: [] },
  });
  for (const r of rows) {
    table.push([
      r.measure,
      r.ours,
      r.target,
      r.met === undefined ? '' : r.met ? 'yes' : 'NO',
      r.nova,
    ]);
  }
  console.log(
    `\nservers benchmark: real processes on loopback (MariaDB, RabbitMQ, Redis), ` +
      `${CELLS.length} cells x ${HOSTS_PER_CELL} fake hosts (spawn_delay_ms = 0), ` +
      `project demo, ${CLIENTS} clients x ${SECONDS} s for req/s`,
  );
  for (const n of notes) {
    console.log(`  ${n}`);
  }
  console.log(table.toString());

  const mem = new Table({
    head: [
      'process',
      'pid',
      'RSS / PSS idle',
      'RSS / PSS after 500 servers',
      'RSS / PSS at end',
      'peak RSS (VmHWM)',
    ],
    style: { head: [], border: [] },
  });
  for (const e of rss) {
    const label = (e.processes ?? 1) > 1 ? `${e.label} (${e.processes} processes)` : e.label;
    mem.push([
      label,
      String(e.pid),
      `${mib(e.idle)} / ${mib(e.pss.idle)}`,
      `${mib(e.loaded)} / ${mib(e.pss.loaded)}`,
      `${mib(e.now)} / ${mib(e.pss.now)}`,
      mib(e.peak),
    ]);
  }
  mem.push([
    'total',
    '',
    `${mib(total.idle)} / ${mib(pss.idle)}`,
    `${mib(total.loaded)} / ${mib(pss.loaded)}`,
    `${mib(total.now)} / ${mib(pss.now)}`,
    mib(total.peak),
  ]);
  console.log(mem.toString());
}

/** Warnings and errors the services logged during the run (a healthy run has none). */
function printLogProblems(stack: Stack): void {
  const out: string[] = [];
  for (const p of stack.processes) {
    const bad = p.lines().filter((l) => ['warn', 'error', 'fatal'].includes(l.level));
    if (bad.length > 0) {
      out.push(`  ${p.label}: ${bad.length} warn/error lines, e.g.`);
      const seen = new Set<string>();
      for (const l of bad) {
        if (!seen.has(l.msg) && seen.size < 4) {
          seen.add(l.msg);
          out.push(`    ${l.text}`);
        }
      }
    }
  }
  if (out.length > 0) {
    console.log(`service log warnings/errors:\n${out.join('\n')}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
