/**
 * npm run bench:api — nova-api as its own process (MariaDB + Redis on loopback),
 * loaded by autocannon from this process with 8 concurrent clients:
 * GET /v2.1/flavors/detail and POST /v2.1/os-keypairs (import), then the API
 * process's RSS. Prints figures next to Nova Zed's; never asserts.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from './load';
import Table from 'cli-table3';
import { stringify } from 'ini';
import { createConnection } from 'mysql2/promise';
import { parseKey } from 'sshpk';
import { runNovaManage } from '../../apps/nova-manage/src/run-nova-manage';
import { fmt, percentile } from './stats';

const CLIENTS = 8;
const USERS = 200;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const id = `bench_${Math.random().toString(36).slice(2, 8)}`;
const mysql = (db: string) => `mysql+pymysql://root@127.0.0.1:3306/${db}`;
type Sections = Record<string, Record<string, string>>;

async function manage(sections: Sections, ...argv: string[]): Promise<void> {
  const out: string[] = [];
  const code = await runNovaManage(argv, {
    io: { out: (s) => out.push(s), err: (s) => out.push(s), progress: process.stderr },
    env: {},
    overrides: sections,
  });
  if (code !== 0) {
    throw new Error(`nova-manage ${argv.join(' ')}: ${out.join(' ')}`);
  }
}

function rssMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** One client, one request at a time: the latency a single caller sees (Nova's p50 figures). */
async function sequential(
  count: number,
  request: (i: number) => Promise<Response>,
): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const res = await request(i);
    await res.arrayBuffer();
    samples.push(performance.now() - start);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function main(): Promise<void> {
  const sections: Sections = {
    DEFAULT: {
      transport_url: 'rabbit://guest:guest@127.0.0.1:5672/%2F',
      osapi_compute_listen: '127.0.0.1',
      osapi_compute_listen_port: String(18000 + Math.floor(Math.random() * 1000)),
    },
    api_database: { connection: mysql(`${id}_api`), max_pool_size: '10' },
    database: { connection: mysql(`${id}_cell0`) },
    cache: {
      enabled: 'true',
      backend: 'dogpile.cache.redis',
      redis_server: '127.0.0.1:6379',
      key_prefix: id,
    },
    api: { auth_strategy: 'noauth2' },
  };
  const port = Number(sections['DEFAULT']?.['osapi_compute_listen_port']);
  const base = `http://127.0.0.1:${port}`;
  const headers = { 'x-auth-token': 'admin:admin', 'content-type': 'application/json' };
  const dir = mkdtempSync(join(tmpdir(), 'nova-bench-'));
  const conf = join(dir, 'nova.conf');
  writeFileSync(conf, stringify(sections));
  await manage(sections, 'api_db', 'sync');
  await manage(sections, 'cell_v2', 'map_cell0', '--database_connection', mysql(`${id}_cell0`));
  await manage(sections, 'db', 'sync');

  // The binary itself, so its shebang's runtime settings (heap, malloc arenas) apply.
  const api = spawn(
    join(__dirname, '..', '..', 'apps', 'nova-api', 'src', 'main.js'),
    ['--config-file', conf],
    {
      env: { ...process.env, NOVA_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    },
  );
  const rows: string[][] = [];
  try {
    for (
      let i = 0;
      i < 100 &&
      !(await fetch(`${base}/`).then(
        () => true,
        () => false,
      ));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // devstack's flavor set, as in Nova's measurement.
    const flavors: Array<[string, string, number, number, number]> = [
      ['1', 'm1.tiny', 512, 1, 1],
      ['2', 'm1.small', 2048, 20, 1],
      ['3', 'm1.medium', 4096, 40, 2],
      ['4', 'm1.large', 8192, 80, 4],
      ['5', 'm1.xlarge', 16384, 160, 8],
      ['42', 'm1.nano', 128, 1, 1],
      ['84', 'm1.micro', 192, 1, 1],
      ['c1', 'cirros256', 256, 1, 1],
      ['d1', 'ds512M', 512, 5, 1],
      ['d2', 'ds1G', 1024, 10, 1],
      ['d3', 'ds2G', 2048, 10, 2],
      ['d4', 'ds4G', 4096, 20, 4],
    ];
    for (const [fid, name, ram, disk, vcpus] of flavors) {
      await fetch(`${base}/v2.1/flavors`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ flavor: { id: fid, name, ram, disk, vcpus } }),
      });
    }
    const startRss = rssMiB(api.pid as number);

    await load({ url: `${base}/v2.1/flavors/detail`, connections: CLIENTS, duration: 2, headers }); // warm-up
    const version = await sequential(2000, () => fetch(`${base}/v2.1/`, { headers }));
    rows.push([
      'GET /v2.1/ (version document), 1 client',
      fmt(version.p50),
      fmt(version.p99),
      '',
      '1.6 ms p50',
    ]);
    const single = await sequential(2000, () => fetch(`${base}/v2.1/flavors/detail`, { headers }));
    rows.push([
      'GET /v2.1/flavors/detail, 1 client',
      fmt(single.p50),
      fmt(single.p99),
      '',
      '10.4 ms p50',
    ]);
    const detail = await load({
      url: `${base}/v2.1/flavors/detail`,
      connections: CLIENTS,
      duration: SECONDS,
      headers,
    });
    rows.push([
      `GET /v2.1/flavors/detail (12 flavors), ${CLIENTS} clients`,
      `${detail.latency.p50} ms`,
      `${detail.latency.p99} ms`,
      detail.requests.average.toFixed(0),
      '10.4 ms / 169 req/s',
    ]);

    const publicKey = parseKey(
      generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
        type: 'spki',
        format: 'pem',
      }),
      'pem',
    ).toString('ssh');
    // Keypairs spread over USERS users, as in a real cloud: each stays under the
    // default quota of 100, so every import runs the full quota check and recheck.
    const keyHeaders = (i: number) => ({
      ...headers,
      'x-auth-token': `bench-user-${i % USERS}:bench-project`,
      'openstack-api-version': 'compute 2.93',
    });
    const singleKey = await sequential(1000, (i) =>
      fetch(`${base}/v2.1/os-keypairs`, {
        method: 'POST',
        headers: keyHeaders(i),
        body: JSON.stringify({ keypair: { name: `seq-${i}`, public_key: publicKey } }),
      }),
    );
    rows.push([
      'POST /v2.1/os-keypairs (import), 1 client',
      fmt(singleKey.p50),
      fmt(singleKey.p99),
      '',
      '26.5 ms p50',
    ]);
    let n = 0;
    const keypair = await load({
      url: `${base}/v2.1/os-keypairs`,
      connections: CLIENTS,
      duration: SECONDS,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => ({
            ...req,
            headers: keyHeaders(n),
            body: JSON.stringify({ keypair: { name: `bench-${n++}`, public_key: publicKey } }),
          }),
        },
      ],
    });
    const non2xx = keypair.non2xx;
    rows.push([
      `POST /v2.1/os-keypairs (import${non2xx ? `, ${non2xx} non-2xx` : ''})`,
      `${keypair.latency.p50} ms`,
      `${keypair.latency.p99} ms`,
      keypair.requests.average.toFixed(0),
      '26.5 ms p50',
    ]);
    const endRss = rssMiB(api.pid as number);
    rows.push([
      'nova-api RSS (start / after load / peak)',
      `${startRss.rss.toFixed(0)} MiB`,
      `${endRss.rss.toFixed(0)} MiB`,
      `peak ${endRss.peak.toFixed(0)} MiB`,
      '1012 MiB (5 workers)',
    ]);
  } finally {
    api.kill('SIGTERM');
    const conn = await createConnection({ host: '127.0.0.1', user: 'root' });
    for (const db of [`${id}_api`, `${id}_cell0`]) {
      await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
    }
    await conn.end();
  }
  const table = new Table({
    head: ['case', 'p50', 'p99', 'req/s', 'Nova Zed'],
    style: { head: [], border: [] },
  });
  table.push(...rows);
  console.log(
    `nova-api benchmark: ${CLIENTS} clients, ${SECONDS} s per case, MariaDB + Redis on loopback`,
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
