/**
 * A whole cloud for benchmarks, every service its own process from dist/ (the
 * binaries themselves, so their shebang's runtime settings apply): MariaDB
 * databases, one RabbitMQ vhost per cell plus the API level, a Redis key prefix,
 * all set up with nova-manage in this process and all removed by cleanup().
 * Service logs go straight to files (nothing parsed here while measuring).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'ini';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { runNovaManage } from '../../apps/nova-manage/src/run-nova-manage';

export type Sections = Record<string, Record<string, string>>;

const execFileP = promisify(execFile);
const DIST = join(__dirname, '..', '..');
export const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
const RABBIT = { host: '127.0.0.1', port: 5672, user: 'guest', password: 'guest' };
export const REDIS = { host: '127.0.0.1', port: 6379 };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function mysqlUrl(db: string): string {
  return `mysql+pymysql://${MYSQL.user}@${MYSQL.host}:${MYSQL.port}/${db}`;
}

export function rssMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** A process and its descendants (nova-api's workers are children of its primary). */
export function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
  } catch {
    // gone meanwhile
  }
  return [pid, ...children.flatMap(processTree)];
}

/** utime + stime of a process, in seconds (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * A process's proportional set size (MiB): its private pages plus its share of
 * pages mapped by several processes. Every Node process maps the same ~50 MiB
 * of the node binary, which summed RSS counts once per process; summed PSS
 * counts it once, so it adds up to the memory the processes take together.
 */
export function pssMiB(pid: number): number {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) / 1024;
}

/** RSS, PSS and peak RSS (MiB) and CPU seconds so far of a process with its workers (processTree). */
export function treeUsage(pid: number): {
  rss: number;
  pss: number;
  peak: number;
  cpu: number;
  processes: number;
} {
  const tree = processTree(pid);
  const sum = { rss: 0, pss: 0, peak: 0, cpu: 0, processes: tree.length };
  for (const one of tree) {
    try {
      const m = rssMiB(one);
      sum.rss += m.rss;
      sum.pss += pssMiB(one);
      sum.peak += m.peak;
      sum.cpu += cpuSeconds(one);
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no free port')),
      );
    });
  });
}

async function manage(sections: Sections, ...argv: string[]): Promise<string> {
  const out: string[] = [];
  const code = await runNovaManage(argv, {
    io: {
      out: (s) => out.push(s),
      err: (s) => out.push(s),
      progress: { write: () => true } as unknown as NodeJS.WritableStream,
    },
    env: {},
    overrides: sections,
  });
  if (code !== 0) {
    throw new Error(`nova-manage ${argv.join(' ')} exited ${code}: ${out.join('\n')}`);
  }
  return out.join('\n');
}

async function rabbitmqctl(...args: string[]): Promise<void> {
  await execFileP('rabbitmqctl', ['-q', ...args], { timeout: 60_000 });
}

/** One nova-* binary in the background, its stdout and stderr written to a log file. */
export class ServiceProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Set by stop(): an exit after that is expected. */
  stopping = false;

  constructor(
    readonly label: string,
    readonly binary: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    readonly logFile: string,
    onUnexpectedExit: (p: ServiceProcess, code: number | null, signal: string | null) => void,
  ) {
    const fd = openSync(logFile, 'a');
    try {
      this.child = spawn(join(DIST, 'apps', binary, 'src', 'main.js'), args, {
        env: { ...process.env, ...env },
        stdio: ['ignore', fd, fd],
        // Own process group: a Ctrl-C reaches the bench only, which then stops them.
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        if (!this.stopping) {
          onUnexpectedExit(this, code, signal);
        }
        resolve(code);
      }),
    );
    this.child.once('error', (err) => {
      writeFileSync(logFile, `spawn failed: ${err.message}\n`, { flag: 'a' });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  /** Every log line: level, message, and a one-line rendering (JSON lines shortened). */
  lines(): Array<{ level: string; msg: string; text: string }> {
    return this.log()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((line) => {
        try {
          const { level, msg, err, ...rest } = JSON.parse(line) as Record<string, unknown>;
          delete rest['time'];
          delete rest['pid'];
          delete rest['hostname'];
          const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
          const error = err === undefined ? '' : ` err=${JSON.stringify(err)}`;
          return {
            level: String(level),
            msg: String(msg),
            text: `[${String(level)}] ${String(msg)}${error}${extra}`.slice(0, 600),
          };
        } catch {
          // Not JSON: stderr output (a stack trace, a config error).
          return { level: 'stderr', msg: line, text: line.slice(0, 600) };
        }
      });
  }

  /** The last `n` log lines, shortened. */
  tail(n = 15): string[] {
    return this.lines()
      .slice(-n)
      .map((l) => l.text);
  }

  /** Has a log line containing `text` been written? */
  logged(text: string): boolean {
    return this.log().includes(text);
  }

  async stop(graceMs = 8000): Promise<void> {
    this.stopping = true;
    if (!this.alive) {
      return;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.alive) {
        this.child.kill('SIGKILL');
      }
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface StackOptions {
  /** Regular cells besides cell0. */
  cells: readonly string[];
  /**
   * Cells per cell-conductor process (default 1: a conductor per cell, found by
   * its [database] connection; more: `nova-conductor --cell A --cell B ...`).
   */
  cellsPerConductor?: number;
  /** Fake hosts per cell, all in one nova-compute process per cell ([fake_driver] host_count). */
  hostsPerCell: number;
  /** Config every process reads (merged over the stack's own). */
  extra: Sections;
  /** NOVA_LOG_LEVEL of nova-api and of the other services. */
  apiLogLevel: string;
  serviceLogLevel: string;
  /** nova-api's port (default: a free one). */
  port?: number;
  /** Where config and logs go (default: a new temporary folder). */
  dir?: string;
}

/** The multi-process stack: API, super conductor, scheduler, a conductor and a compute per cell. */
export class Stack {
  readonly id = `bsrv_${Math.random().toString(36).slice(2, 8)}`;
  readonly dir: string;
  readonly processes: ServiceProcess[] = [];
  readonly databases: string[] = [];
  readonly vhosts: string[] = [];
  readonly cellUrls = new Map<string, { db: string; mq: string }>();
  /** Regular cells, in order: options.cells, then those addCells() added. */
  readonly cells: string[] = [];
  sections: Sections = {};
  port = 0;
  /** Processes that died while they should have been running. */
  readonly deaths: string[] = [];
  private cleaning?: Promise<void>;
  private redisTouched = false;

  constructor(readonly options: StackOptions) {
    this.cells.push(...options.cells);
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'nova-stack-'));
    mkdirSync(this.dir, { recursive: true });
    // Last resort, whatever way this process ends: no service outlives it.
    process.once('exit', () => {
      for (const p of this.processes) {
        if (p.alive) {
          p.child.kill('SIGKILL');
        }
      }
    });
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  dbName(name: string): string {
    return `${this.id}_${name}`;
  }

  private db(name: string): string {
    const db = this.dbName(name);
    this.databases.push(db);
    return mysqlUrl(db);
  }

  private async vhost(name: string): Promise<string> {
    const vhost = `${this.id}_${name}`;
    this.vhosts.push(vhost);
    await rabbitmqctl('add_vhost', vhost);
    await rabbitmqctl('set_permissions', '-p', vhost, RABBIT.user, '.*', '.*', '.*');
    return `rabbit://${RABBIT.user}:${RABBIT.password}@${RABBIT.host}:${RABBIT.port}/${vhost}`;
  }

  /** Databases, vhosts and config; nova-manage api_db sync, map_cell0, create_cell, db sync. */
  async setUp(log: (s: string) => void): Promise<void> {
    this.port = this.options.port ?? (await freePort());
    const names = ['api', ...this.options.cells];
    const mqs = await Promise.all(names.map((n) => this.vhost(n)));
    const apiMq = mqs[0];
    const cell0 = this.db('cell0');
    this.redisTouched = true;
    this.sections = merge(
      {
        DEFAULT: {
          host: 'bench-controller',
          transport_url: apiMq,
          state_path: this.dir,
          osapi_compute_listen: '127.0.0.1',
          osapi_compute_listen_port: String(this.port),
        },
        api_database: { connection: this.db('api') },
        database: { connection: cell0 },
        cache: {
          enabled: 'true',
          backend: 'dogpile.cache.redis',
          redis_server: `${REDIS.host}:${REDIS.port}`,
          key_prefix: this.id,
        },
        api: { auth_strategy: 'noauth2' },
      },
      this.options.extra,
    );
    log(`nova-manage api_db sync, cell_v2 map_cell0 (${this.id})`);
    await manage(this.sections, 'api_db', 'sync');
    await manage(this.sections, 'cell_v2', 'map_cell0', '--database_connection', cell0);
    for (const [i, cell] of this.options.cells.entries()) {
      await this.createCell(cell, mqs[i + 1], log);
    }
    log('nova-manage db sync');
    await manage(this.sections, 'db', 'sync');
  }

  private async createCell(cell: string, mq: string, log: (s: string) => void): Promise<void> {
    const urls = { db: this.db(cell), mq };
    this.cellUrls.set(cell, urls);
    log(`nova-manage cell_v2 create_cell --name ${cell}`);
    await manage(
      this.sections,
      'cell_v2',
      'create_cell',
      '--name',
      cell,
      '--database_connection',
      urls.db,
      '--transport-url',
      urls.mq,
    );
  }

  /**
   * Grow a running stack: each new cell's vhost, database (create_cell, db
   * sync), conductor and compute process; resolves when they say they are ready.
   */
  async addCells(cells: readonly string[], log: (s: string) => void): Promise<void> {
    const mqs = await Promise.all(cells.map((n) => this.vhost(n)));
    for (const [i, cell] of cells.entries()) {
      await this.createCell(cell, mqs[i], log);
    }
    log('nova-manage db sync');
    await manage(this.sections, 'db', 'sync');
    this.cells.push(...cells);
    const svc = { NOVA_LOG_LEVEL: this.options.serviceLogLevel };
    const conductors = this.spawnCellConductors(cells, svc);
    log(`waiting for ${cells.length} cell conductors`);
    await this.waitUntil('cell conductors ready', startupTimeout(180_000, cells.length), async () =>
      conductors.every((p) => p.logged('nova-conductor ready')),
    );
    const computes = cells.map((cell) => this.spawnCompute(cell, svc));
    log(`waiting for ${cells.length} nova-compute processes`);
    await this.waitUntil('nova-compute ready', startupTimeout(300_000, cells.length), async () =>
      computes.every((p) => p.logged('nova-compute ready')),
    );
  }

  /** The conductors of `cells`: one per cell, or one per `cellsPerConductor` of them. */
  private spawnCellConductors(cells: readonly string[], svc: NodeJS.ProcessEnv): ServiceProcess[] {
    const size = this.options.cellsPerConductor ?? 1;
    if (size <= 1) {
      return cells.map((cell) => this.spawnCellConductor(cell, svc));
    }
    const out: ServiceProcess[] = [];
    for (let i = 0; i < cells.length; i += size) {
      const group = cells.slice(i, i + size);
      out.push(
        this.spawn(
          `nova-conductor-${group[0]}..${group[group.length - 1]}`,
          'nova-conductor',
          ['--config-file', join(this.dir, 'nova.conf'), ...group.flatMap((c) => ['--cell', c])],
          { ...svc, OS_DEFAULT__HOST: `${group[0]}-conductor` },
        ),
      );
    }
    return out;
  }

  private spawnCellConductor(cell: string, svc: NodeJS.ProcessEnv): ServiceProcess {
    const urls = this.cellUrls.get(cell) as { db: string; mq: string };
    return this.spawn(
      `nova-conductor-${cell}`,
      'nova-conductor',
      ['--config-file', join(this.dir, 'nova.conf')],
      {
        ...svc,
        OS_DATABASE__CONNECTION: urls.db,
        OS_DEFAULT__TRANSPORT_URL: urls.mq,
        OS_DEFAULT__HOST: `${cell}-conductor`,
      },
    );
  }

  private spawnCompute(cell: string, svc: NodeJS.ProcessEnv): ServiceProcess {
    const urls = this.cellUrls.get(cell) as { db: string; mq: string };
    return this.spawn(
      `nova-compute-${cell}`,
      'nova-compute',
      ['--config-file', join(this.dir, 'nova-compute.conf')],
      { ...svc, OS_DEFAULT__TRANSPORT_URL: urls.mq, OS_DEFAULT__HOST: `${cell}-compute` },
    );
  }

  private spawn(
    label: string,
    binary: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ): ServiceProcess {
    const p = new ServiceProcess(
      label,
      binary,
      args,
      env,
      join(this.dir, `${label}.log`),
      (dead, code, signal) => {
        const msg = `${dead.label} (pid ${dead.pid}) exited unexpectedly (code ${code}, signal ${signal})`;
        this.deaths.push(msg);
        console.error(`\n!! ${msg}; last log lines:\n  ${dead.tail(25).join('\n  ')}`);
      },
    );
    this.processes.push(p);
    return p;
  }

  /** Start every service; resolves when each says it is ready and the API answers. */
  async start(log: (s: string) => void): Promise<void> {
    const conf = join(this.dir, 'nova.conf');
    writeFileSync(conf, stringify(this.sections));
    // Computes hold no database credentials at all.
    const computeConf = join(this.dir, 'nova-compute.conf');
    writeFileSync(
      computeConf,
      stringify(
        Object.fromEntries(
          Object.entries(this.sections).filter(([s]) => s !== 'database' && s !== 'api_database'),
        ),
      ),
    );
    const svc = { NOVA_LOG_LEVEL: this.options.serviceLogLevel };
    const ready: Array<[ServiceProcess, string]> = [];
    ready.push([
      this.spawn('nova-conductor-super', 'nova-conductor', ['--config-file', conf, '--super'], svc),
      'nova-conductor ready',
    ]);
    ready.push([
      this.spawn('nova-scheduler', 'nova-scheduler', ['--config-file', conf], svc),
      'nova-scheduler ready',
    ]);
    for (const conductor of this.spawnCellConductors(this.options.cells, svc)) {
      ready.push([conductor, 'nova-conductor ready']);
    }
    const api = this.spawn('nova-api', 'nova-api', ['--config-file', conf], {
      NOVA_LOG_LEVEL: this.options.apiLogLevel,
    });
    log('waiting for conductors, scheduler and nova-api');
    await this.waitUntil('services ready', startupTimeout(60_000, ready.length), async () => {
      const pending = ready.filter(([p, text]) => !p.logged(text));
      return pending.length === 0;
    });
    await this.waitUntil('nova-api answering', 60_000, async () => {
      if (!api.alive) {
        return false;
      }
      return fetch(`${this.base}/`).then(
        (r) => r.status < 500,
        () => false,
      );
    });
    const computes: ServiceProcess[] = [];
    for (const cell of this.options.cells) {
      computes.push(this.spawnCompute(cell, svc));
    }
    log(
      `waiting for ${this.options.cells.length} nova-compute processes ` +
        `(${this.options.hostsPerCell} fake hosts each)`,
    );
    await this.waitUntil('nova-compute ready', startupTimeout(120_000, computes.length), async () =>
      computes.every((p) => p.logged('nova-compute ready')),
    );
  }

  /** Until `count` compute hosts are mapped (discovered) and have resource providers. */
  async waitForHosts(count: number, timeoutMs = 120_000): Promise<void> {
    const conn = await createConnection({ ...MYSQL, database: this.dbName('api') });
    try {
      let seen = '';
      await this.waitUntil(
        `${count} hosts mapped with resource providers`,
        timeoutMs,
        async () => {
          const [[m], [p]] = await Promise.all([
            conn.query('SELECT COUNT(*) AS n FROM host_mappings'),
            conn.query('SELECT COUNT(*) AS n FROM resource_providers'),
          ]).then((r) => r.map(([rows]) => rows as Array<{ n: number }>));
          seen = `${Number(m?.n)} mapped, ${Number(p?.n)} providers`;
          return Number(m?.n) >= count && Number(p?.n) >= count;
        },
        () => seen,
        250,
      );
    } finally {
      await conn.end();
    }
  }

  /** Throws when a service died. */
  assertAlive(): void {
    if (this.deaths.length > 0) {
      throw new Error(`stack broken: ${this.deaths.join('; ')}`);
    }
  }

  async waitUntil(
    what: string,
    timeoutMs: number,
    done: () => Promise<boolean>,
    status: () => string = () => '',
    intervalMs = 100,
  ): Promise<void> {
    const started = Date.now();
    for (;;) {
      this.assertAlive();
      if (await done()) {
        return;
      }
      if (Date.now() - started > timeoutMs) {
        const detail = status();
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}${detail ? ` (${detail})` : ''}`,
        );
      }
      await sleep(intervalMs);
    }
  }

  /** Last log lines of every service (for a failed run). */
  printLogs(lines = 12): void {
    for (const p of this.processes) {
      console.error(
        `--- ${p.label} (pid ${p.pid}, ${p.alive ? 'running' : 'exited'}) ${p.logFile}\n  ${p
          .tail(lines)
          .join('\n  ')}`,
      );
    }
  }

  /** Stop processes, drop databases, delete vhosts and Redis keys; idempotent, never throws. */
  cleanup(keepLogs: boolean): Promise<void> {
    this.cleaning ??= this.doCleanup(keepLogs);
    return this.cleaning;
  }

  private async doCleanup(keepLogs: boolean): Promise<void> {
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    await Promise.all(this.processes.map((p) => attempt(`stop ${p.label}`, () => p.stop())));
    await attempt('drop databases', async () => {
      if (this.databases.length === 0) {
        return;
      }
      const conn = await createConnection(MYSQL);
      try {
        for (const db of this.databases) {
          await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
        }
      } finally {
        await conn.end();
      }
    });
    await Promise.all(
      this.vhosts.map((v) => attempt(`delete vhost ${v}`, () => rabbitmqctl('delete_vhost', v))),
    );
    if (this.redisTouched) {
      await attempt('delete Redis keys', async () => {
        const redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
        try {
          await redis.connect();
          let cursor = '0';
          do {
            const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.id}*`, 'COUNT', 1000);
            cursor = next;
            if (keys.length > 0) {
              await redis.del(...keys);
            }
          } while (cursor !== '0');
        } finally {
          redis.disconnect();
        }
      });
    }
    if (keepLogs) {
      console.error(`service logs kept in ${this.dir}`);
    } else {
      rmSync(this.dir, { recursive: true, force: true });
    }
    if (problems.length > 0) {
      console.error(`cleanup problems:\n  ${problems.join('\n  ')}`);
    }
  }
}

function merge(a: Sections, b: Sections): Sections {
  const out: Sections = { ...a };
  for (const [section, values] of Object.entries(b)) {
    out[section] = { ...out[section], ...values };
  }
  return out;
}

/**
 * How long `processes` started at once may take to be ready: at least `base`,
 * and 15 s each, since on 2 cores they start one after another in effect
 * (a process spends seconds of CPU loading its modules).
 */
export function startupTimeout(base: number, processes: number): number {
  return Math.max(base, processes * 15_000);
}
