/**
 * What bench:scale reads about the region besides the API: every process's RSS
 * grouped by role, and the MariaDB and RabbitMQ connections the stack holds.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { treeUsage, type Stack } from '../../lib/stack';

const execFileP = promisify(execFile);

export interface Group {
  readonly role: string;
  readonly count: number;
  readonly sum: number;
  readonly max: number;
  /** PSS sum (MiB): shared pages (the node binary) counted once across the region. */
  readonly pss: number;
  /** CPU seconds (user + system) the group's processes used since they started. */
  readonly cpu: number;
}

/**
 * RSS now (MiB) and CPU used so far of api, super conductor, scheduler, cell
 * conductors and computes; a process counts with its workers.
 */
export function rssGroups(stack: Stack): Group[] {
  const roles: Array<[string, (label: string) => boolean]> = [
    ['nova-api', (l) => l === 'nova-api'],
    ['super conductor', (l) => l === 'nova-conductor-super'],
    ['nova-scheduler', (l) => l === 'nova-scheduler'],
    ['cell conductors', (l) => l.startsWith('nova-conductor-') && l !== 'nova-conductor-super'],
    ['nova-compute (one per cell)', (l) => l.startsWith('nova-compute-')],
  ];
  return roles.map(([role, match]) => {
    const samples = stack.processes
      .filter((p) => p.alive && match(p.label))
      .map((p) => treeUsage(p.pid));
    const sizes = samples.map((x) => x.rss);
    return {
      role,
      count: sizes.length,
      sum: sizes.reduce((a, b) => a + b, 0),
      max: Math.max(0, ...sizes),
      pss: samples.reduce((a, x) => a + x.pss, 0),
      cpu: samples.reduce((a, x) => a + x.cpu, 0),
    };
  });
}

export interface Connections {
  readonly api: number;
  readonly cell0: number;
  readonly cellsSum: number;
  readonly cellsMax: number;
  readonly total: number;
}

/** Open MariaDB connections per database of this stack (information_schema.PROCESSLIST). */
export async function dbConnections(stack: Stack): Promise<Connections> {
  const conn = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    const [rows] = await conn.query(
      'SELECT db, COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE db LIKE ? GROUP BY db',
      [`${stack.id}\\_%`],
    );
    const byDb = new Map(
      (rows as Array<{ db: string; n: number }>).map((r) => [r.db, Number(r.n)] as const),
    );
    const cells = stack.cells.map((c) => byDb.get(stack.dbName(c)) ?? 0);
    const total = [...byDb.values()].reduce((a, b) => a + b, 0);
    return {
      api: byDb.get(stack.dbName('api')) ?? 0,
      cell0: byDb.get(stack.dbName('cell0')) ?? 0,
      cellsSum: cells.reduce((a, b) => a + b, 0),
      cellsMax: Math.max(0, ...cells),
      total,
    };
  } finally {
    await conn.end();
  }
}

export async function maxConnections(): Promise<number> {
  const conn = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    const [rows] = await conn.query('SELECT @@max_connections AS n');
    return Number((rows as Array<{ n: number }>)[0]?.n);
  } finally {
    await conn.end();
  }
}

export async function setMaxConnections(n: number): Promise<void> {
  const conn = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    await conn.query(`SET GLOBAL max_connections = ${Math.floor(n)}`);
  } finally {
    await conn.end();
  }
}

/** Open AMQP connections on this stack's vhosts (rabbitmqctl list_connections). */
export async function amqpConnections(
  stack: Stack,
): Promise<{ api: number; cellsSum: number; cellsMax: number; total: number }> {
  const { stdout } = await execFileP('rabbitmqctl', ['-q', 'list_connections', 'vhost'], {
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const counts = new Map<string, number>();
  for (const line of stdout.split('\n').map((l) => l.trim())) {
    if (line.startsWith(`${stack.id}_`)) {
      counts.set(line, (counts.get(line) ?? 0) + 1);
    }
  }
  const cells = stack.cells.map((c) => counts.get(`${stack.id}_${c}`) ?? 0);
  return {
    api: counts.get(`${stack.id}_api`) ?? 0,
    cellsSum: cells.reduce((a, b) => a + b, 0),
    cellsMax: Math.max(0, ...cells),
    total: [...counts.values()].reduce((a, b) => a + b, 0),
  };
}
