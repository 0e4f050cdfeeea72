/**
 * npm run bench:project-cells — what `[api] instance_list_per_project_cells`
 * saves: a project whose one server lives in one of BENCH_PROJECT_CELLS cells
 * (10) lists its servers, on the real multi-process stack on loopback (nova-api
 * noauth2, super conductor, scheduler, one conductor for every cell and one
 * fake nova-compute process per cell; MariaDB, RabbitMQ, Redis), once with the
 * option off (every cell and cell0 asked) and once on (the project's cell).
 *
 * For each: GET /servers and /servers/detail p50 from one client, and req/s
 * under 8 clients (autocannon, BENCH_SECONDS, 10, after 3 s unmeasured) with
 * where the CPU went. MariaDB's max_connections is raised for the run (two API
 * workers pool connections to every cell) and put back. Prints the table;
 * never asserts. Everything it made goes at the end, also on failure.
 */
import 'reflect-metadata';
import { cpus } from 'node:os';
import type autocannon from 'autocannon';
import { load } from './load';
import Table from 'cli-table3';
import { cpuPerRequest, stackServices } from './cpu-split';
import { ApiHttp } from './http-client';
import { sleep, Stack } from '../lib/stack';
import { maxConnections, setMaxConnections } from './scale/probes';
import { fmt, loadAverage, percentile } from './stats';

const CELLS = Array.from(
  { length: Math.max(2, Number(process.env['BENCH_PROJECT_CELLS'] ?? 10)) },
  (_, i) => `cell${i + 1}`,
);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CLIENTS = 8;
const SEQUENTIAL = 1000;
const HOSTS_PER_CELL = 2;
const ADMIN = 'admin:admin';
const MEMBER = 'demo:demo';
const PATHS = ['/v2.1/servers', '/v2.1/servers/detail'];

const progress = (msg: string) => process.stderr.write(`· ${msg}\n`);

/** The stack being measured, for Ctrl-C to clean up. */
let running: Stack | undefined;

/** The project's one server, ACTIVE: the cell it landed in is the project's only one. */
async function bootOne(stack: Stack, http: ApiHttp): Promise<void> {
  await http.expect(200, 'POST', '/v2.1/flavors', {
    token: ADMIN,
    body: { flavor: { name: 'pc.tiny', id: 'pc-tiny', vcpus: 1, ram: 64, disk: 1 } },
  });
  const image = (await http.expect(200, 'GET', '/v2.1/images', { token: MEMBER })).json<{
    images: Array<{ id: string }>;
  }>().images[0];
  if (!image) {
    throw new Error('GET /v2.1/images: no image');
  }
  const id = (
    await http.expect(202, 'POST', '/v2.1/servers', {
      token: MEMBER,
      body: { server: { name: 'pc-0', imageRef: image.id, flavorRef: 'pc-tiny' } },
    })
  ).json<{ server: { id: string } }>().server.id;
  await stack.waitUntil('the server ACTIVE', 60_000, async () => {
    const res = await http.get(`/v2.1/servers/${id}`, MEMBER);
    return (
      res.status === 200 && res.json<{ server: { status: string } }>().server.status === 'ACTIVE'
    );
  });
}

/** Per path: p50 from one client, then req/s and its CPU under CLIENTS. */
async function measure(stack: Stack, http: ApiHttp): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const path of PATHS) {
    const samples: number[] = [];
    for (let i = 0; i < SEQUENTIAL * 2; i++) {
      const start = performance.now();
      const res = await http.get(path, MEMBER);
      if (res.status !== 200) {
        throw new Error(`GET ${path}: HTTP ${res.status}: ${res.text.slice(0, 400)}`);
      }
      // The first half warms up.
      if (i >= SEQUENTIAL) {
        samples.push(performance.now() - start);
      }
    }
    const options: autocannon.Options = {
      url: `${stack.base}${path}`,
      connections: CLIENTS,
      duration: SECONDS,
      headers: { 'x-auth-token': MEMBER },
    };
    await load({ ...options, duration: 3 });
    const { result, text } = await cpuPerRequest(
      stackServices(stack),
      'bench client',
      () => load(options),
      (r) => r.requests.total,
    );
    const bad = result.non2xx + result.errors + result.timeouts;
    out.set(path, [
      `p50 ${fmt(percentile(samples, 50))}`,
      `${result.requests.average.toFixed(0)} req/s${bad > 0 ? ` (${bad} failed)` : ''}`,
      text,
    ]);
  }
  return out;
}

async function runWith(perProject: boolean): Promise<Map<string, string[]>> {
  const stack = new Stack({
    cells: CELLS,
    cellsPerConductor: CELLS.length,
    hostsPerCell: HOSTS_PER_CELL,
    apiLogLevel: 'warn',
    serviceLogLevel: 'info',
    extra: {
      api: { instance_list_per_project_cells: String(perProject) },
      fake_driver: { host_count: String(HOSTS_PER_CELL), spawn_delay_ms: '0' },
      scheduler: { discover_hosts_in_cells_interval: '1' },
    },
  });
  running = stack;
  let failed = false;
  try {
    await stack.setUp(progress);
    await stack.start(progress);
    await stack.waitForHosts(CELLS.length * HOSTS_PER_CELL);
    const api = new ApiHttp(stack.base);
    try {
      await bootOne(stack, api);
      // The start's own work (host reports, discovery) settles first.
      await sleep(10_000);
      progress(`instance_list_per_project_cells = ${perProject}: measuring`);
      return await measure(stack, api);
    } finally {
      api.close();
    }
  } catch (err) {
    failed = true;
    stack.printLogs();
    throw err;
  } finally {
    running = undefined;
    await stack.cleanup(failed);
  }
}

async function main(): Promise<void> {
  const before = await maxConnections();
  await setMaxConnections(Math.max(before, 1000));
  process.once('SIGINT', () => {
    void Promise.allSettled([running?.cleanup(true), setMaxConnections(before)]).finally(() =>
      process.exit(130),
    );
  });
  const loadAtStart = loadAverage();
  try {
    const off = await runWith(false);
    const on = await runWith(true);
    console.log(
      `\nproject cells: a project with one server in one of ${CELLS.length} cells lists it ` +
        `(${CLIENTS} clients x ${SECONDS} s for req/s; load average at start ${loadAtStart}, ` +
        `at end ${loadAverage()}; ${cpus().length} CPUs)`,
    );
    const table = new Table({
      head: ['request', 'measure', 'every cell asked (off)', "the project's cell (on)"],
      style: { head: [], border: [] },
    });
    const measures = ['1 client', `${CLIENTS} clients`, 'their CPU'];
    for (const path of PATHS) {
      for (const [i, measure] of measures.entries()) {
        const first = i === 0 ? `GET ${path}` : '';
        table.push([first, measure, off.get(path)?.[i] ?? '', on.get(path)?.[i] ?? '']);
      }
    }
    console.log(table.toString());
  } finally {
    await setMaxConnections(before);
  }
}

main().catch((err: unknown) => {
  console.error('\nbench failed:', err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
