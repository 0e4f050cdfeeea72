import {
  Table,
  TableIndex,
  type QueryRunner,
  type TableColumnOptions,
  type TableIndexOptions,
  type TableForeignKeyOptions,
} from 'typeorm';

/**
 * Portable column builders for migrations that must run on MariaDB/MySQL and on SQLite.
 * Keep these primitive and stable: old migrations depend on them.
 */
export const col = {
  id: (): TableColumnOptions => ({
    name: 'id',
    type: 'integer',
    isPrimary: true,
    isGenerated: true,
    generationStrategy: 'increment',
  }),
  str: (name: string, length: number, nullable = true): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: String(length),
    isNullable: nullable,
  }),
  uuid: (name: string, nullable = false): TableColumnOptions => col.str(name, 36, nullable),
  text: (name: string, nullable = true): TableColumnOptions => ({
    name,
    type: 'text',
    isNullable: nullable,
  }),
  int: (name: string, nullable = true, dflt?: number): TableColumnOptions => ({
    name,
    type: 'integer',
    isNullable: nullable,
    ...(dflt === undefined ? {} : { default: dflt }),
  }),
  bigint: (name: string, nullable = true): TableColumnOptions => ({
    name,
    type: 'bigint',
    isNullable: nullable,
  }),
  float: (name: string, nullable = true, dflt?: number): TableColumnOptions => ({
    name,
    type: 'float',
    isNullable: nullable,
    ...(dflt === undefined ? {} : { default: dflt }),
  }),
  /** Stored as 0/1 (tinyint(1) on MySQL). */
  bool: (name: string, dflt: boolean | null = false): TableColumnOptions => ({
    name,
    type: 'boolean',
    isNullable: dflt === null,
    ...(dflt === null ? {} : { default: dflt ? 1 : 0 }),
  }),
  /** UTC, millisecond precision (MySQL datetime(3)). */
  datetime: (name: string, nullable = true): TableColumnOptions => ({
    name,
    type: 'datetime',
    precision: 3,
    isNullable: nullable,
  }),
  /** created_at / updated_at as in Nova's TimestampMixin. */
  timestamps: (): TableColumnOptions[] => [col.datetime('created_at'), col.datetime('updated_at')],
  /** deleted_at / deleted as in Nova's SoftDeleteMixin: deleted = 0 live, = id once deleted. */
  softDelete: (): TableColumnOptions[] => [
    col.datetime('deleted_at'),
    col.int('deleted', false, 0),
  ],
};

/** A column of MEDIUMTEXT on MySQL (serialized objects can exceed 64 KiB), TEXT on SQLite. */
export function mediumText(runner: QueryRunner, name: string, nullable = true): TableColumnOptions {
  const type = runner.connection.driver.options.type === 'mysql' ? 'mediumtext' : 'text';
  return { name, type, isNullable: nullable };
}

export function index(table: string, columns: string[], unique = false): TableIndexOptions {
  const kind = unique ? 'uniq' : 'idx';
  return {
    name: `${kind}_${table}_${columns.join('_')}`.slice(0, 64),
    columnNames: columns,
    isUnique: unique,
  };
}

export function fk(column: string, table: string, onDelete?: string): TableForeignKeyOptions {
  return {
    columnNames: [column],
    referencedTableName: table,
    referencedColumnNames: ['id'],
    ...(onDelete ? { onDelete } : {}),
  };
}

export interface TableSpec {
  name: string;
  columns: TableColumnOptions[];
  indices?: TableIndexOptions[];
  foreignKeys?: TableForeignKeyOptions[];
}

/** Create tables that do not exist yet (MySQL DDL is not transactional: stay re-runnable). */
export async function createTables(runner: QueryRunner, specs: TableSpec[]): Promise<void> {
  for (const spec of specs) {
    if (await runner.hasTable(spec.name)) {
      continue;
    }
    const engine = runner.connection.driver.options.type === 'mysql' ? 'InnoDB' : undefined;
    await runner.createTable(
      new Table({
        name: spec.name,
        columns: spec.columns,
        indices: spec.indices ?? [],
        foreignKeys: spec.foreignKeys ?? [],
        ...(engine ? { engine } : {}),
      }),
      false,
      true,
      true,
    );
  }
}

export async function dropTables(runner: QueryRunner, names: string[]): Promise<void> {
  for (const name of [...names].reverse()) {
    await runner.dropTable(name, true);
  }
}

/** An index replaced by a wider one that begins with the same columns. */
export interface IndexWidening {
  readonly table: string;
  readonly narrow: string[];
  readonly wide: string[];
}

/**
 * Replace each narrow index by its wide one (`back`: the reverse). The new
 * index is made before the old goes, so queries (and a foreign key needing
 * the leading columns) always have one. Re-runnable: MySQL DDL is not
 * transactional, so a sync that stopped halfway finds some indexes done.
 */
export async function widenIndexes(
  runner: QueryRunner,
  changes: readonly IndexWidening[],
  back = false,
): Promise<void> {
  for (const { table, narrow, wide } of changes) {
    const [add, drop] = (back ? [narrow, wide] : [wide, narrow]).map((c) => index(table, c));
    const present = new Set((await runner.getTable(table))?.indices.map((i) => i.name));
    if (!present.has(add.name)) {
      await runner.createIndex(table, new TableIndex(add));
    }
    if (present.has(drop.name)) {
      await runner.dropIndex(table, drop.name ?? '');
    }
  }
}
