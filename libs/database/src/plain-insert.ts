import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Statement } from './batched-transaction';

/**
 * INSERT one or more rows and return the first generated id, without the
 * SELECT that TypeORM's Repository.insert() sends after every insert on MySQL
 * to copy database defaults (id, deleted, ...) into an entity nobody reads. On
 * a build's path that re-read was a third of the statements.
 */
export async function insertRows<Entity extends ObjectLiteral>(
  db: DataSource | EntityManager,
  target: EntityTarget<Entity>,
  values: QueryDeepPartialEntity<Entity> | Array<QueryDeepPartialEntity<Entity>>,
  /** Named parameters of values given as SQL (`() => '(SELECT ... :name)'`). */
  parameters: Record<string, unknown> = {},
): Promise<number> {
  const lean = leanInsert(db, target, values, parameters);
  if (lean) {
    return generatedId(await db.query(lean.sql, [...lean.params]));
  }
  const result = await plainInsert(db, target, values, parameters).execute();
  return generatedId(result.raw as unknown);
}

/** The same INSERT as a statement, to send in a batch (see batchedTransaction). */
export function insertStatement<Entity extends ObjectLiteral>(
  db: DataSource | EntityManager,
  target: EntityTarget<Entity>,
  values: QueryDeepPartialEntity<Entity> | Array<QueryDeepPartialEntity<Entity>>,
  parameters: Record<string, unknown> = {},
): Statement {
  const lean = leanInsert(db, target, values, parameters);
  if (lean) {
    return lean;
  }
  const [sql, params] = plainInsert(db, target, values, parameters).getQueryAndParameters();
  return { sql, params };
}

/**
 * The INSERT written directly from the entity's column metadata, each value
 * prepared by the driver as TypeORM would: TypeORM's query builder books
 * every value as a named parameter, which made building a claim's statements
 * a tenth of the scheduler's CPU per decision. Only on MySQL, for plain rows
 * (every row the same columns, every value given, no SQL expressions);
 * anything else (SQLite, a default left to the database) goes through
 * TypeORM, which test/int/plain-insert.int-spec.ts checks it agrees with.
 */
function leanInsert<Entity extends ObjectLiteral>(
  db: DataSource | EntityManager,
  target: EntityTarget<Entity>,
  values: QueryDeepPartialEntity<Entity> | Array<QueryDeepPartialEntity<Entity>>,
  parameters: Record<string, unknown>,
): Statement | null {
  const connection = 'connection' in db ? db.connection : db;
  if (connection.options.type !== 'mysql' || Object.keys(parameters).length > 0) {
    return null;
  }
  const rows = (Array.isArray(values) ? values : [values]) as Array<Record<string, unknown>>;
  const keys = rows[0] ? Object.keys(rows[0]) : [];
  const plain = (row: Record<string, unknown>) =>
    Object.keys(row).length === keys.length &&
    keys.every((k) => row[k] !== undefined && typeof row[k] !== 'function');
  if (keys.length === 0 || !rows.every(plain)) {
    return null;
  }
  const metadata = connection.getMetadata(target);
  const columns = keys.map((k) => metadata.findColumnWithPropertyName(k));
  if (columns.some((c) => !c || c.relationMetadata || c.embeddedMetadata || c.isVersion)) {
    return null;
  }
  const driver = connection.driver;
  const names = columns.map((c) => driver.escape(c!.databaseName)).join(', ');
  const tuple = `(${keys.map(() => '?').join(', ')})`;
  return {
    sql: `INSERT INTO ${driver.escape(metadata.tableName)}(${names}) VALUES ${rows.map(() => tuple).join(', ')}`,
    params: rows.flatMap((row) =>
      columns.map((c) => driver.preparePersistentValue(row[c!.propertyName], c!) as unknown),
    ),
  };
}

function plainInsert<Entity extends ObjectLiteral>(
  db: DataSource | EntityManager,
  target: EntityTarget<Entity>,
  values: QueryDeepPartialEntity<Entity> | Array<QueryDeepPartialEntity<Entity>>,
  parameters: Record<string, unknown>,
) {
  return db
    .createQueryBuilder()
    .insert()
    .into(target)
    .values(values)
    .setParameters(parameters)
    .updateEntity(false)
    .callListeners(false);
}

/** mysql2 answers a ResultSetHeader with insertId; better-sqlite3 (through TypeORM) the rowid. */
function generatedId(raw: unknown): number {
  if (typeof raw === 'number' || typeof raw === 'bigint') {
    return Number(raw);
  }
  return Number((raw as { insertId?: number } | null)?.insertId ?? Number.NaN);
}
