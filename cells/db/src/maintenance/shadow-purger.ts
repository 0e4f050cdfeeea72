import type { DataSource } from 'typeorm';
import { sqlTimestamp } from '@nova/database';
import { SHADOW_PREFIX } from './archive-schema';
import { inTransaction, isSqlite, quote } from './sql';

/** Rows that are never deleted have no deleted_at: their age is another column (as in Nova). */
const AGE_COLUMN_OVERRIDES: Readonly<Record<string, string>> = {
  shadow_instance_actions: 'created_at',
  shadow_instance_actions_events: 'created_at',
  shadow_task_log: 'updated_at',
};

/**
 * Nova's `db purge`: delete rows from every shadow table, all of them or those
 * older than `before` (by deleted_at, else updated_at, else created_at; a table
 * with none of them is skipped with a message). One transaction per table.
 * Returns the number of rows deleted.
 */
export async function purgeShadowTables(
  ds: DataSource,
  before: Date | null,
  status: (message: string) => void,
): Promise<number> {
  let total = 0;
  for (const [table, columns] of await shadowTables(ds)) {
    const age =
      before === null
        ? null
        : (AGE_COLUMN_OVERRIDES[table] ??
          ['deleted_at', 'updated_at', 'created_at'].find((c) => columns.includes(c)));
    if (before !== null && !age) {
      status(`Unable to purge table ${table} because it has no timestamp column`);
      continue;
    }
    const deleted = await inTransaction(ds, (run) =>
      age
        ? run(`DELETE FROM ${quote(ds, table)} WHERE ${quote(ds, age)} < ?`, [
            sqlTimestamp(ds, before!),
          ])
        : run(`DELETE FROM ${quote(ds, table)}`),
    );
    if (deleted.affected > 0) {
      status(
        `Deleted ${deleted.affected} rows from ${table} based on timestamp column ${age ?? '(n/a)'}`,
      );
    }
    total += deleted.affected;
  }
  return total;
}

/** The shadow tables of the database and their columns, by name. */
async function shadowTables(ds: DataSource): Promise<Array<[string, string[]]>> {
  const rows = await ds.query<Array<{ t: string; c: string }>>(
    isSqlite(ds)
      ? "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name LIKE 'shadow\\_%' ESCAPE '\\' ORDER BY m.name"
      : "SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'shadow\\_%' ORDER BY TABLE_NAME",
  );
  const tables = new Map<string, string[]>();
  for (const { t, c } of rows.filter((r) => r.t.startsWith(SHADOW_PREFIX))) {
    tables.set(t, [...(tables.get(t) ?? []), c]);
  }
  return [...tables].sort(([a], [b]) => a.localeCompare(b));
}
