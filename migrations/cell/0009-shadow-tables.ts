import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

export const SHADOW_PREFIX = 'shadow_';

/** Tables archived without a `deleted` column of their own: they follow their instance. */
const FOLLOWERS = ['tags'];

/**
 * Nova's shadow tables: `shadow_<table>` for every soft-deleted cell table
 * (and `tags`, which leaves with its instance), with the same columns, where
 * `nova-manage db archive_deleted_rows` moves deleted rows. The columns are
 * copied from the live tables as they stand at this version, so a later
 * migration that adds a column (or a soft-deleted table) must add it to the
 * shadow table too: the archive copies every column by name and fails,
 * moving nothing, when one is missing. Shadow tables keep the primary key
 * (rows arrive with their ids) but no other index: archived rows are
 * written once and purged by age.
 */
export class ShadowTables0000000000009 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    for (const table of await shadowedTables(runner)) {
      const name = SHADOW_PREFIX + table.name;
      if (await runner.hasTable(name)) {
        continue; // MySQL DDL is not transactional: stay re-runnable
      }
      const engine = runner.connection.driver.options.type === 'mysql' ? 'InnoDB' : undefined;
      await runner.createTable(
        new Table({
          name,
          columns: table.columns.map(shadowColumn),
          ...(engine ? { engine } : {}),
        }),
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const name of await tableNames(runner)) {
      if (name.startsWith(SHADOW_PREFIX)) {
        await runner.dropTable(name, true);
      }
    }
  }
}

/** The tables of this database (TypeORM's getTables() without names lists every database on MySQL). */
async function tableNames(runner: QueryRunner): Promise<string[]> {
  const rows = (await runner.query(
    runner.connection.driver.options.type === 'mysql'
      ? "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
      : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
  )) as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

async function shadowedTables(runner: QueryRunner): Promise<Table[]> {
  const tables = await runner.getTables(await tableNames(runner));
  return tables
    .filter(
      (t) =>
        !t.name.startsWith(SHADOW_PREFIX) &&
        (FOLLOWERS.includes(t.name) || t.columns.some((c) => c.name === 'deleted')),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The live column as a plain copy: same type and nullability, no generation, default or uniqueness. */
function shadowColumn(column: TableColumn): TableColumn {
  return new TableColumn({
    name: column.name,
    type: column.type,
    ...(column.length ? { length: column.length } : {}),
    ...(column.precision !== undefined && column.precision !== null
      ? { precision: column.precision }
      : {}),
    ...(column.scale !== undefined ? { scale: column.scale } : {}),
    ...(column.width !== undefined ? { width: column.width } : {}),
    ...(column.unsigned ? { unsigned: true } : {}),
    isNullable: column.isPrimary ? false : column.isNullable,
    isPrimary: column.isPrimary,
  });
}
