import { createConnection } from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { ensureDatabaseExists, openDataSource, type PoolOptions } from '@nova/database';
import { testEnv } from './env';
import { until } from './waiting';

export function mysqlUrl(database: string, scheme = 'mysql+pymysql'): string {
  const { user, password, host, port } = testEnv.mysql;
  const creds = password ? `${user}:${encodeURIComponent(password)}` : user;
  return `${scheme}://${creds}@${host}:${port}/${database}`;
}

async function admin<T>(
  fn: (conn: Awaited<ReturnType<typeof createConnection>>) => Promise<T>,
): Promise<T> {
  const { user, password, host, port } = testEnv.mysql;
  const conn = await createConnection({ host, port, user, password });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

/** A new database `name` (for dropDatabases to drop) and a pool on it, with no entities. */
export async function openTestDatabase(
  name: string,
  pool: Pick<PoolOptions, 'poolSize' | 'idleTimeoutMs'>,
): Promise<DataSource> {
  await ensureDatabaseExists(mysqlUrl(name), 5000);
  return openDataSource(mysqlUrl(name), { entities: [], connectTimeoutMs: 5000, ...pool });
}

/** Drop the given databases (best effort: tests clean up what they made). */
export async function dropDatabases(names: readonly string[]): Promise<void> {
  await admin(async (conn) => {
    for (const name of names) {
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    }
  });
}

/** Open connections to one database, as MariaDB sees them. */
export async function connectionsTo(database: string): Promise<number> {
  return admin(async (conn) => {
    const [rows] = await conn.query(
      'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?',
      [database],
    );
    return Number((rows as Array<{ n: number }>)[0]?.n ?? 0);
  });
}

/**
 * Open connections to one database once those its clients closed are gone:
 * the server drops a connection's thread a moment after the client's QUIT or
 * close, so a count taken at once can still see it. Polled for up to 3 s.
 */
export async function connectionsAfterClose(database: string): Promise<number> {
  await until(
    `no connection to ${database}`,
    async () => (await connectionsTo(database)) === 0,
    30,
  ).catch(
    () => undefined, // the count below says how many are left
  );
  return connectionsTo(database);
}

export async function query<T>(
  database: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const { user, password, host, port } = testEnv.mysql;
  const conn = await createConnection({ host, port, user, password, database });
  try {
    const [rows] = await conn.query(sql, params);
    return rows as T[];
  } finally {
    await conn.end();
  }
}
