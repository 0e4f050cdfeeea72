import { DataSource, type MigrationInterface } from 'typeorm';
import { Invalid } from '@nova/common';
import { dataSourceOptions, closeDataSource, MIGRATIONS_TABLE } from './data-source';
import { serializeSqliteAccess } from './sqlite-serialization';

/**
 * A schema migration. Class names end with a 13-digit zero-padded version number
 * (TypeORM reads the version from there): `InitialApiSchema0000000000001` is version 1.
 */
export type MigrationClass = new () => MigrationInterface;

export function versionOf(migration: MigrationClass): number {
  return Number(migration.name.slice(-13));
}

export function latestVersion(migrations: readonly MigrationClass[]): number {
  return Math.max(0, ...migrations.map(versionOf));
}

/** The schema version recorded in a database (0 when never migrated). */
export async function schemaVersion(dataSource: DataSource): Promise<number> {
  const runner = dataSource.createQueryRunner();
  try {
    if (!(await runner.hasTable(MIGRATIONS_TABLE))) {
      return 0;
    }
    const rows = (await runner.query(
      `SELECT MAX(timestamp) AS v FROM ${MIGRATIONS_TABLE}`,
    )) as Array<{ v: number | string | null }>;
    return Number(rows[0]?.v ?? 0);
  } finally {
    await runner.release();
  }
}

/**
 * Bring the schema at `url` up to `target` (default: latest) on a short-lived
 * connection of its own. Each migration runs in its own transaction where the
 * engine allows it (MySQL DDL commits implicitly, so migrations are written to be
 * re-runnable). Downgrades are refused.
 */
export async function migrateTo(
  url: string,
  migrations: readonly MigrationClass[],
  target?: number,
): Promise<{ from: number; to: number }> {
  const wanted = target ?? latestVersion(migrations);
  if (!Number.isInteger(wanted) || wanted < 0) {
    throw new Invalid('version should be an integer');
  }
  const selected = migrations.filter((m) => versionOf(m) <= wanted);
  const dataSource = new DataSource({
    ...dataSourceOptions(url, {
      entities: [],
      poolSize: 1,
      connectTimeoutMs: 10_000,
      idleTimeoutMs: 10_000,
    }),
    migrations: selected,
  });
  await dataSource.initialize();
  serializeSqliteAccess(dataSource);
  try {
    const from = await schemaVersion(dataSource);
    if (wanted < from) {
      throw new Invalid(
        `Database schema is at version ${from}; downgrading to ${wanted} is not supported`,
      );
    }
    if (wanted > latestVersion(migrations)) {
      throw new Invalid(
        `No migration for version ${wanted}; the latest is ${latestVersion(migrations)}`,
      );
    }
    await dataSource.runMigrations({ transaction: 'each' });
    return { from, to: await schemaVersion(dataSource) };
  } finally {
    await closeDataSource(dataSource);
  }
}
