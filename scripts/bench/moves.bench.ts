/**
 * npm run bench:moves — server moves on the real multi-process stack on
 * loopback (nova-api, `nova-conductor --super`, nova-scheduler, the cell's
 * conductor and one fake nova-compute process running BENCH_HOSTS hosts with
 * no spawn delay; MariaDB, RabbitMQ, Redis; one cell).
 *
 * Measures resize -> VERIFY_RESIZE and resize + confirm -> ACTIVE, cold
 * migrate -> VERIFY_RESIZE (BENCH_MOVES sequential moves each, p50/p95), and
 * the evacuation of BENCH_EVACUATE servers from a forced-down host: from the
 * first evacuate POST until all are ACTIVE on other hosts. Prints the figures;
 * never asserts. Everything it made goes at the end, also on failure.
 */
import 'reflect-metadata';
import { cpus } from 'node:os';
import { ApiHttp } from './http-client';
import { sleep, Stack } from '../lib/stack';
import { fmt, loadAverage, percentile } from './stats';

const HOSTS = Number(process.env['BENCH_HOSTS'] ?? 5);
const MOVES = Number(process.env['BENCH_MOVES'] ?? 30);
const EVACUATE = Number(process.env['BENCH_EVACUATE'] ?? 100);
const EVACUATE_CONCURRENCY = 10;
const ADMIN = 'admin:admin';
const MEMBER = 'demo:demo';

interface Brief {
  id: string;
  status: string;
  'OS-EXT-STS:task_state'?: string | null;
  'OS-EXT-SRV-ATTR:host'?: string;
}

const rows: Array<[string, string]> = [];
const progress = (msg: string) => process.stderr.write(`· ${msg}\n`);

/** Poll GET /servers/{id} (every 2 ms) until it is `status` and idle. */
async function settle(stack: Stack, http: ApiHttp, id: string, status: string): Promise<Brief> {
  const started = performance.now();
  for (;;) {
    const res = await http.get(`/v2.1/servers/${id}`, ADMIN);
    const s = res.status === 200 ? res.json<{ server: Brief }>().server : null;
    if (s?.status === status && !s['OS-EXT-STS:task_state']) {
      return s;
    }
    if (s?.status === 'ERROR' || performance.now() - started > 60_000) {
      throw new Error(`server ${id} not ${status}: ${res.text.slice(0, 800)}`);
    }
    stack.assertAlive();
    await sleep(2);
  }
}

async function run(stack: Stack, http: ApiHttp): Promise<void> {
  for (const [id, vcpus, ram] of [
    ['mv-a', 1, 64],
    ['mv-b', 2, 128],
  ] as const) {
    await http.expect(200, 'POST', '/v2.1/flavors', {
      token: ADMIN,
      body: { flavor: { name: id, id, vcpus, ram, disk: 1 } },
    });
  }
  const image = (await http.expect(200, 'GET', '/v2.1/images', { token: MEMBER })).json<{
    images: Array<{ id: string }>;
  }>().images[0];
  if (!image) {
    throw new Error('no image');
  }
  const boot = async (name: string, extra: Record<string, unknown> = {}, token = MEMBER) => {
    const res = await http.expect(202, 'POST', '/v2.1/servers', {
      token,
      body: { server: { name, imageRef: image.id, flavorRef: 'mv-a', ...extra } },
    });
    return res.json<{ server: { id: string } }>().server.id;
  };
  const act = (id: string, body: unknown, expected: number, version = '2.1') =>
    http.expect(expected, 'POST', `/v2.1/servers/${id}/action`, { token: ADMIN, body, version });

  progress(`${MOVES + 2} servers to move`);
  const ids: string[] = [];
  for (let i = 0; i < MOVES + 2; i++) {
    ids.push(await boot(`move-${i}`));
  }
  for (const id of ids) {
    await settle(stack, http, id, 'ACTIVE');
  }

  progress(`resize + confirm, ${MOVES} sequential (2 warm-up)`);
  const toVerify: number[] = [];
  const resizeConfirm: number[] = [];
  for (const [i, id] of ids.entries()) {
    const start = performance.now();
    await act(id, { resize: { flavorRef: 'mv-b' } }, 202);
    await settle(stack, http, id, 'VERIFY_RESIZE');
    const verify = performance.now();
    await act(id, { confirmResize: null }, 204);
    await settle(stack, http, id, 'ACTIVE');
    if (i >= 2) {
      toVerify.push(verify - start);
      resizeConfirm.push(performance.now() - start);
    }
  }
  rows.push([
    'resize -> VERIFY_RESIZE',
    `p50 ${fmt(percentile(toVerify, 50))}, p95 ${fmt(percentile(toVerify, 95))}`,
  ]);
  rows.push([
    'resize + confirm -> ACTIVE',
    `p50 ${fmt(percentile(resizeConfirm, 50))}, p95 ${fmt(percentile(resizeConfirm, 95))}`,
  ]);

  progress(`cold migrate, ${MOVES} sequential (2 warm-up)`);
  const migrate: number[] = [];
  for (const [i, id] of ids.entries()) {
    const start = performance.now();
    await act(id, { migrate: null }, 202);
    await settle(stack, http, id, 'VERIFY_RESIZE');
    if (i >= 2) {
      migrate.push(performance.now() - start);
    }
    await act(id, { confirmResize: null }, 204);
    await settle(stack, http, id, 'ACTIVE');
  }
  rows.push([
    'cold migrate -> VERIFY_RESIZE',
    `p50 ${fmt(percentile(migrate, 50))}, p95 ${fmt(percentile(migrate, 95))}`,
  ]);

  const dead = 'cell1-compute-1';
  progress(`${EVACUATE} servers on ${dead}`);
  const res = await http.expect(202, 'POST', '/v2.1/servers', {
    token: ADMIN,
    body: {
      server: {
        name: 'evacuee',
        imageRef: image.id,
        flavorRef: 'mv-a',
        availability_zone: `nova:${dead}`,
        min_count: EVACUATE,
        max_count: EVACUATE,
        return_reservation_id: true,
      },
    },
  });
  const reservation = res.json<{ reservation_id: string }>().reservation_id;
  let evacuees: Brief[] = [];
  await stack.waitUntil(`${EVACUATE} servers ACTIVE on ${dead}`, 300_000, async () => {
    evacuees = (
      await http.expect(
        200,
        'GET',
        `/v2.1/servers/detail?all_tenants=1&reservation_id=${reservation}`,
        { token: ADMIN },
      )
    ).json<{ servers: Brief[] }>().servers;
    return evacuees.length === EVACUATE && evacuees.every((s) => s.status === 'ACTIVE');
  });
  await http.expect(200, 'PUT', '/v2.1/os-services/force-down', {
    token: ADMIN,
    version: '2.11',
    body: { host: dead, binary: 'nova-compute', forced_down: true },
  });
  progress(`evacuating ${EVACUATE} servers from ${dead}`);
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: EVACUATE_CONCURRENCY }, async () => {
      while (next < evacuees.length) {
        const server = evacuees[next++];
        await act(server.id, { evacuate: {} }, 200, '2.14');
      }
    }),
  );
  const posted = performance.now() - start;
  await stack.waitUntil(`${EVACUATE} servers ACTIVE elsewhere`, 300_000, async () => {
    const now = (
      await http.expect(
        200,
        'GET',
        `/v2.1/servers/detail?all_tenants=1&reservation_id=${reservation}`,
        { token: ADMIN },
      )
    ).json<{ servers: Brief[] }>().servers;
    return now.every(
      (s) =>
        s.status === 'ACTIVE' && !s['OS-EXT-STS:task_state'] && s['OS-EXT-SRV-ATTR:host'] !== dead,
    );
  });
  rows.push([
    `${EVACUATE} servers evacuated from a forced-down host -> all ACTIVE elsewhere`,
    `${((performance.now() - start) / 1000).toFixed(2)} s (the ${EVACUATE} POSTs: ${(posted / 1000).toFixed(2)} s)`,
  ]);
}

async function main(): Promise<number> {
  const notes = [`load average at start: ${loadAverage()} (${cpus().length} CPUs)`];
  const stack = new Stack({
    cells: ['cell1'],
    hostsPerCell: HOSTS,
    apiLogLevel: process.env['BENCH_API_LOG_LEVEL'] ?? 'warn',
    serviceLogLevel: process.env['BENCH_LOG_LEVEL'] ?? 'info',
    extra: {
      scheduler: { discover_hosts_in_cells_interval: '1' },
      fake_driver: {
        host_count: String(HOSTS),
        vcpus: '256',
        memory_mb: '262144',
        local_gb: '4000',
        spawn_delay_ms: '0',
      },
      quota: { instances: '-1', cores: '-1', ram: '-1' },
    },
  });
  let failed = false;
  let http: ApiHttp | undefined;
  try {
    await stack.setUp(progress);
    await stack.start(progress);
    await stack.waitForHosts(HOSTS);
    http = new ApiHttp(stack.base);
    await run(stack, http);
  } catch (err) {
    failed = true;
    console.error('\nbench failed:', err instanceof Error ? (err.stack ?? err.message) : err);
    stack.printLogs();
  } finally {
    notes.push(`load average at end: ${loadAverage()}`);
    console.log(`\nMoves (fake driver, ${HOSTS} hosts in one cell):`);
    for (const [measure, figure] of rows) {
      console.log(`  ${measure.padEnd(72)} ${figure}`);
    }
    console.log(notes.map((n) => `  ${n}`).join('\n'));
    http?.close();
    progress('cleaning up (processes, databases, vhosts, Redis keys)');
    await stack.cleanup(failed || process.env['BENCH_KEEP_LOGS'] === '1');
  }
  return failed ? 1 : 0;
}

void main().then((code) => process.exit(code));
