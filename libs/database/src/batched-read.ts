import type { DataSource } from 'typeorm';
import type { Statement } from './batched-transaction';

/**
 * Reads that do not depend on each other, sent together: on MySQL one
 * multi-statement query (one socket write each way and one wake-up of the
 * server, where two parallel queries on two pooled connections cost two of
 * each); elsewhere (SQLite, in process) one by one. Each statement's rows come
 * back in order.
 */
export async function batchedRead(
  ds: DataSource,
  statements: readonly Statement[],
): Promise<Array<Array<Record<string, unknown>>>> {
  if (ds.options.type !== 'mysql' || statements.length < 2) {
    const out: Array<Array<Record<string, unknown>>> = [];
    for (const { sql, params } of statements) {
      out.push(await ds.query<Array<Record<string, unknown>>>(sql, [...params]));
    }
    return out;
  }
  // Several statements answer one result set each, in order.
  return ds.query<Array<Array<Record<string, unknown>>>>(
    statements.map((s) => s.sql).join(';\n'),
    statements.flatMap((s) => s.params),
  );
}
