import type { DataSource } from 'typeorm';
import { isSqlite } from './sql';

export const SHADOW_PREFIX = 'shadow_';

/** A live table that has a shadow table. */
export interface ArchivedTable {
  readonly name: string;
  readonly shadow: string;
  /** Column names, in table order; the shadow table has every one of them. */
  readonly columns: readonly string[];
  /** Rows are picked by `id`; tables without one (tags) only leave with their parent. */
  readonly hasId: boolean;
  /** Has Nova's `deleted` column: its deleted rows are archived on their own. */
  readonly softDeleted: boolean;
}

/** Child rows that leave with their parent: `child.childColumn = parent.parentColumn`. */
export interface Relation {
  readonly parent: string;
  readonly parentColumn: string;
  readonly child: string;
  readonly childColumn: string;
}

export interface ArchiveSchema {
  /** Parents before their children, then by name (the order tables are visited in). */
  readonly tables: readonly ArchivedTable[];
  readonly relations: readonly Relation[];
  table(name: string): ArchivedTable;
}

/**
 * What Nova's foreign keys say about instances, which our schema leaves to the
 * code: every archived table with an `instance_uuid` column belongs to its
 * instance (and tags by `resource_id`), and an action's events to the action.
 */
function relationsOf(names: ReadonlySet<string>, columns: Map<string, string[]>): Relation[] {
  const relations: Relation[] = [];
  for (const name of names) {
    if (name === 'instances') {
      continue;
    }
    if (columns.get(name)?.includes('instance_uuid')) {
      relations.push({
        parent: 'instances',
        parentColumn: 'uuid',
        child: name,
        childColumn: 'instance_uuid',
      });
    }
  }
  if (names.has('tags')) {
    relations.push({
      parent: 'instances',
      parentColumn: 'uuid',
      child: 'tags',
      childColumn: 'resource_id',
    });
  }
  if (names.has('instance_actions_events')) {
    relations.push({
      parent: 'instance_actions',
      parentColumn: 'id',
      child: 'instance_actions_events',
      childColumn: 'action_id',
    });
  }
  return relations.filter((r) => names.has(r.parent));
}

/** Every column of every table of the database, in table order. */
async function columnsByTable(ds: DataSource): Promise<Map<string, string[]>> {
  const rows = await ds.query<Array<{ t: string; c: string }>>(
    isSqlite(ds)
      ? "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid"
      : 'SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION',
  );
  const columns = new Map<string, string[]>();
  for (const { t, c } of rows) {
    columns.set(t, [...(columns.get(t) ?? []), c]);
  }
  return columns;
}

/**
 * Read which tables have shadow tables and check that each shadow table has
 * every column of its table: a migration that added a column without adding it
 * to the shadow table stops the archive before it moves anything.
 */
export async function loadArchiveSchema(ds: DataSource): Promise<ArchiveSchema> {
  const columns = await columnsByTable(ds);
  const byName = new Map<string, ArchivedTable>();
  for (const [name, cols] of columns) {
    const shadow = SHADOW_PREFIX + name;
    const shadowCols = columns.get(shadow);
    if (name.startsWith(SHADOW_PREFIX) || !shadowCols) {
      continue;
    }
    const missing = cols.filter((c) => !shadowCols.includes(c));
    if (missing.length > 0) {
      throw new Error(
        `Table ${shadow} lacks column(s) ${missing.join(', ')} of ${name}: the migration that added them must add them to ${shadow} too`,
      );
    }
    byName.set(name, {
      name,
      shadow,
      columns: cols,
      hasId: cols.includes('id'),
      softDeleted: cols.includes('deleted'),
    });
  }
  const relations = relationsOf(new Set(byName.keys()), columns);
  const depth = (name: string, seen = new Set<string>()): number => {
    const parent = relations.find((r) => r.child === name && !seen.has(r.parent));
    return parent ? 1 + depth(parent.parent, seen.add(name)) : 0;
  };
  const tables = [...byName.values()].sort(
    (a, b) => depth(a.name) - depth(b.name) || a.name.localeCompare(b.name),
  );
  return {
    tables,
    relations,
    table(name: string): ArchivedTable {
      const table = byName.get(name);
      if (!table) {
        throw new Error(`Table ${name} has no shadow table`);
      }
      return table;
    },
  };
}
