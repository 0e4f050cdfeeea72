import type { DataSource } from 'typeorm';
import { sqlTimestamp } from '@nova/database';
import type { ArchiveSchema, ArchivedTable } from './archive-schema';
import { placeholders } from '../repositories/instance-rows';
import { chunks, inTransaction, quote, type Run } from './sql';

export interface ArchiveOptions {
  /** A soft limit on the rows moved (a parent always leaves with all its children). */
  readonly maxRows: number;
  /** Only rows deleted before this time (task_log: updated before it). */
  readonly before?: Date;
  /** Also archive task_log rows, which are never deleted. */
  readonly taskLog: boolean;
  /**
   * Runs inside the transaction that archives these instances, before it
   * commits: a failure there leaves them in place to be archived again.
   */
  readonly onInstances?: (uuids: string[]) => Promise<void>;
}

export interface ArchiveResult {
  /** Rows moved per table, children under their own table. */
  readonly tables: Record<string, number>;
  readonly instanceUuids: string[];
  readonly total: number;
}

type Row = Record<string, unknown>;

/** Rows that leave with a parent row: `keys` of `table` picked by `column`. */
interface Piece {
  readonly table: string;
  readonly column: string;
  readonly key: unknown;
  readonly count: number;
}

/**
 * One batch of Nova's archive_deleted_rows in one cell database: visit the
 * tables parents first; in each, take up to the remaining budget of deleted
 * rows (oldest id first) with all their children, and move them to the shadow
 * tables in one transaction per table. Every move copies and deletes the same
 * rows by key and checks both counts, so a row is never in both tables or in
 * neither.
 */
export async function archiveDeletedRows(
  ds: DataSource,
  schema: ArchiveSchema,
  options: ArchiveOptions,
): Promise<ArchiveResult> {
  const tables: Record<string, number> = {};
  const instanceUuids: string[] = [];
  let total = 0;
  for (const table of schema.tables) {
    if (total >= options.maxRows) {
      break;
    }
    if (!table.hasId || !table.softDeleted) {
      continue; // tags leave with their instance only
    }
    const moved = await archiveTable(ds, schema, table, options.maxRows - total, options);
    for (const [name, count] of Object.entries(moved.counts)) {
      if (count > 0) {
        tables[name] = (tables[name] ?? 0) + count;
        total += count;
      }
    }
    instanceUuids.push(...moved.uuids);
  }
  return { tables, instanceUuids, total };
}

async function archiveTable(
  ds: DataSource,
  schema: ArchiveSchema,
  table: ArchivedTable,
  budget: number,
  options: ArchiveOptions,
): Promise<{ counts: Record<string, number>; uuids: string[] }> {
  return inTransaction(
    ds,
    async (run) => {
      const candidates = await pickDeleted(ds, run, table, budget, options);
      if (candidates.length === 0) {
        return { counts: {}, uuids: [] };
      }
      const families = await descendants(ds, run, schema, table.name, candidates);
      const batch: Row[] = [];
      let size = 0;
      for (const row of candidates) {
        batch.push(row);
        size += 1 + (families.get(row) ?? []).reduce((n, p) => n + p.count, 0);
        if (size >= budget) {
          break;
        }
      }
      const moves = new Map<string, { column: string; keys: unknown[] }>();
      for (const piece of batch.flatMap((row) => families.get(row) ?? [])) {
        const move = moves.get(piece.table) ?? { column: piece.column, keys: [] };
        move.keys.push(piece.key);
        moves.set(piece.table, move);
      }
      const counts: Record<string, number> = {};
      for (const child of [...schema.tables].reverse()) {
        const move = moves.get(child.name);
        if (move) {
          counts[child.name] = await moveRows(ds, run, child, move.column, move.keys);
        }
      }
      counts[table.name] = await moveRows(
        ds,
        run,
        table,
        'id',
        batch.map((r) => r['id']),
      );
      // Those a concurrent archive moved first count 0 here; their API records are its to count.
      const uuids =
        table.name === 'instances' && counts[table.name] > 0
          ? batch.map((r) => String(r['uuid']))
          : [];
      if (uuids.length > 0 && options.onInstances) {
        await options.onInstances(uuids);
      }
      return { counts, uuids };
    },
    table.shadow,
  );
}

/**
 * The deleted rows to archive. Not a locking read: on InnoDB it would lock the
 * live rows it scans past too. A concurrent archive of the same rows is safe
 * without it: the second copy reads (with locks) after the first commits,
 * finds the rows gone, and moves nothing.
 */
async function pickDeleted(
  ds: DataSource,
  run: Run,
  table: ArchivedTable,
  limit: number,
  options: ArchiveOptions,
): Promise<Row[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (table.name === 'task_log' && options.taskLog) {
    // task_log rows are never deleted: with --task-log they all go, by age.
    if (options.before) {
      where.push('updated_at < ?');
      params.push(sqlTimestamp(ds, options.before));
    }
  } else {
    where.push('deleted != 0');
    if (options.before && table.name !== 'task_log') {
      where.push('deleted_at < ?');
      params.push(sqlTimestamp(ds, options.before));
    }
  }
  const columns = table.name === 'instances' ? 'id, uuid' : 'id';
  const { rows } = await run(
    `SELECT ${columns} FROM ${quote(ds, table.name)}` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY id LIMIT ${Math.max(0, Math.floor(limit))}`,
    params,
  );
  return rows;
}

/** For each parent row, the rows of every table that leave with it (children, their children...). */
async function descendants(
  ds: DataSource,
  run: Run,
  schema: ArchiveSchema,
  parent: string,
  parents: readonly Row[],
): Promise<Map<Row, Piece[]>> {
  const out = new Map<Row, Piece[]>(parents.map((row) => [row, []]));
  for (const rel of schema.relations.filter((r) => r.parent === parent)) {
    const child = schema.table(rel.child);
    const values = [...new Set(parents.map((row) => row[rel.parentColumn]))];
    if (values.length === 0) {
      continue;
    }
    if (!child.hasId) {
      const counts = new Map<string, number>();
      for (const slice of chunks(values)) {
        const { rows } = await run(
          `SELECT ${quote(ds, rel.childColumn)} AS v, COUNT(*) AS n FROM ${quote(ds, child.name)} ` +
            `WHERE ${quote(ds, rel.childColumn)} IN (${placeholders(slice.length)}) GROUP BY ${quote(ds, rel.childColumn)}`,
          slice,
        );
        rows.forEach((r) => counts.set(String(r['v']), Number(r['n'])));
      }
      for (const row of parents) {
        const count = counts.get(String(row[rel.parentColumn])) ?? 0;
        if (count > 0) {
          out.get(row)!.push({
            table: child.name,
            column: rel.childColumn,
            key: row[rel.parentColumn],
            count,
          });
        }
      }
      continue;
    }
    const wanted = new Set([
      'id',
      rel.childColumn,
      ...schema.relations.filter((r) => r.parent === child.name).map((r) => r.parentColumn),
    ]);
    const childRows: Row[] = [];
    for (const slice of chunks(values)) {
      const { rows } = await run(
        `SELECT ${[...wanted].map((c) => quote(ds, c)).join(', ')} FROM ${quote(ds, child.name)} ` +
          `WHERE ${quote(ds, rel.childColumn)} IN (${placeholders(slice.length)}) ORDER BY id`,
        slice,
      );
      childRows.push(...rows);
    }
    const grandchildren = await descendants(ds, run, schema, child.name, childRows);
    const byParent = new Map<string, Row[]>();
    for (const row of childRows) {
      const key = String(row[rel.childColumn]);
      byParent.set(key, [...(byParent.get(key) ?? []), row]);
    }
    for (const row of parents) {
      for (const childRow of byParent.get(String(row[rel.parentColumn])) ?? []) {
        out
          .get(row)!
          .push(
            { table: child.name, column: 'id', key: childRow['id'], count: 1 },
            ...(grandchildren.get(childRow) ?? []),
          );
      }
    }
  }
  return out;
}

/** Copy the rows to the shadow table and delete them, by the same keys; returns how many moved. */
async function moveRows(
  ds: DataSource,
  run: Run,
  table: ArchivedTable,
  column: string,
  keys: readonly unknown[],
): Promise<number> {
  const cols = table.columns.map((c) => quote(ds, c)).join(', ');
  let moved = 0;
  for (const slice of chunks([...new Set(keys)])) {
    const where = `${quote(ds, column)} IN (${placeholders(slice.length)})`;
    const copied = await run(
      `INSERT INTO ${quote(ds, table.shadow)} (${cols}) SELECT ${cols} FROM ${quote(ds, table.name)} WHERE ${where}`,
      slice,
    );
    const deleted = await run(`DELETE FROM ${quote(ds, table.name)} WHERE ${where}`, slice);
    if (copied.affected !== deleted.affected) {
      throw new Error(
        `Archiving ${table.name} copied ${copied.affected} rows but deleted ${deleted.affected}: rolled back`,
      );
    }
    moved += deleted.affected;
  }
  return moved;
}
