import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions, type MixedList } from 'typeorm';
import { createConnection } from 'mysql2/promise';
import { describeError, maskUrl } from '@nova/common';
import { serializeSqliteAccess } from './sqlite-serialization';
import { sweepIdleConnections, stopSweepingIdleConnections } from './idle-connections';
import { parseSqlUrl, type SqlTarget } from './sql-url';

export interface PoolOptions {
  /** Entity classes for this schema (API or cell). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function>;
  poolSize: number;
  connectTimeoutMs: number;
  /** Idle pooled connections close after this long (sweepIdleConnections). */
  idleTimeoutMs: number;
}

export const MIGRATIONS_TABLE = 'nova_schema_migrations';

/** TypeORM options for a SQLAlchemy URL: mysql2 for mysql*, better-sqlite3 for sqlite. */
export function dataSourceOptions(url: string, pool: PoolOptions): DataSourceOptions {
  const target = parseSqlUrl(url);
  const common = {
    entities: pool.entities,
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    logging: false,
  } as const;
  if (target.kind === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: target.path,
      // WAL + a busy timeout let nova-manage and a running service share one file.
      enableWAL: target.path !== ':memory:',
      timeout: 10_000,
      // MySQL's REGEXP operator (server name/ip filters); SQLite has none built in.
      prepareDatabase: (db: {
        function(name: string, fn: (re: string, v: string | number | null) => number): void;
      }) =>
        db.function('regexp', (re, value) =>
          value !== null && new RegExp(re).test(String(value)) ? 1 : 0,
        ),
    };
  }
  return {
    ...common,
    type: 'mysql',
    connectorPackage: 'mysql2',
    host: target.host,
    port: target.port,
    username: target.user,
    password: target.password,
    database: target.database,
    charset: 'utf8mb4',
    timezone: 'Z',
    connectTimeout: pool.connectTimeoutMs,
    // batchedTransaction sends a transaction's statements as one query.
    multipleStatements: true,
    poolSize: pool.poolSize,
    extra: {
      connectionLimit: pool.poolSize,
      // Every connection may stay open until idle for idleTimeoutMs: mysql2's
      // timer for maxIdle < limit closed busy ones too (sweepIdleConnections).
      maxIdle: pool.poolSize,
      enableKeepAlive: true,
    },
  };
}

/** Open (initialize) a pooled DataSource. Throws if the database cannot be reached. */
export async function openDataSource(url: string, pool: PoolOptions): Promise<DataSource> {
  const target = parseSqlUrl(url);
  if (target.kind === 'sqlite' && target.path !== ':memory:') {
    mkdirSync(dirname(target.path), { recursive: true });
  }
  const dataSource = new DataSource(dataSourceOptions(url, pool));
  await dataSource.initialize();
  serializeSqliteAccess(dataSource);
  sweepIdleConnections(dataSource, pool.idleTimeoutMs);
  return dataSource;
}

/** Destroy a DataSource, ignoring the errors of one already closed or half-open. */
export async function closeDataSource(dataSource: DataSource | undefined): Promise<void> {
  if (dataSource) {
    stopSweepingIdleConnections(dataSource);
  }
  if (dataSource?.isInitialized) {
    try {
      await dataSource.destroy();
    } catch {
      // "Pool is closed" and friends: the goal (no open connections) is met.
    }
  }
}

/**
 * Create the database named in the URL when it does not exist (MySQL), or its
 * directory (SQLite). Used by `db sync`/`api_db sync` and the embedded bootstrap.
 */
export async function ensureDatabaseExists(url: string, connectTimeoutMs: number): Promise<void> {
  const target = parseSqlUrl(url);
  if (target.kind === 'sqlite') {
    if (target.path !== ':memory:') {
      mkdirSync(dirname(target.path), { recursive: true });
    }
    return;
  }
  const conn = await connectServer(target, connectTimeoutMs);
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${target.database.replace(/`/g, '``')}\` CHARACTER SET utf8mb4`,
    );
  } finally {
    await conn.end();
  }
}

/**
 * Check that the server behind a URL answers and accepts the credentials, without
 * requiring the database to exist yet. Throws an Error with a one-line reason.
 */
export async function checkDatabaseReachable(url: string, connectTimeoutMs: number): Promise<void> {
  const target = parseSqlUrl(url);
  if (target.kind === 'sqlite') {
    return;
  }
  const conn = await connectServer(target, connectTimeoutMs).catch((err: unknown) => {
    throw new Error(`Cannot connect to database ${maskUrl(url)}: ${describeError(err)}`);
  });
  await conn.end();
}

function connectServer(target: Extract<SqlTarget, { kind: 'mysql' }>, connectTimeoutMs: number) {
  return createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    connectTimeout: connectTimeoutMs,
  });
}

/** A timestamp as a raw query parameter: SQLite binds no Date objects, so it gets TypeORM's text form. */
export function sqlTimestamp(dataSource: DataSource, date = new Date()): Date | string {
  return dataSource.options.type === 'better-sqlite3'
    ? date.toISOString().replace('T', ' ').replace('Z', '')
    : date;
}
