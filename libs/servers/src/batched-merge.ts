import { MinHeap } from './heap';

/** One cell's rows in the merge's order, read a batch at a time. */
export interface BatchedSource<T> {
  /** The first batch, already read. */
  readonly first: readonly T[];
  /** The rows a batch asks for: a full batch may have more behind it. */
  readonly batchSize: number;
  /** The batch after `last`; null when the source can no longer be read. */
  next(last: T): Promise<readonly T[] | null>;
}

/** Rows read whole (build requests, a silent cell's mappings): a source with no next batch. */
export function wholeSource<T>(rows: readonly T[]): BatchedSource<T> {
  return { first: rows, batchSize: Number.POSITIVE_INFINITY, next: () => Promise.resolve(null) };
}

const MIN_BATCH = 100;

/**
 * Nova's `[api] instance_list_cells_batch_strategy`: the rows each cell is
 * asked for at a time when a list spans `cells` cells. `distributed` splits
 * the limit across the cells with a 10 % margin, `fixed` asks for `fixedSize`;
 * never fewer than 100 nor more than the limit, and one cell gets the limit.
 */
export function cellBatchSize(
  strategy: 'distributed' | 'fixed',
  fixedSize: number,
  limit: number,
  cells: number,
): number {
  if (cells <= 1) {
    return limit;
  }
  const size = strategy === 'fixed' ? fixedSize : Math.ceil((limit * 11) / (cells * 10));
  return Math.max(1, Math.min(limit, Math.max(MIN_BATCH, size)));
}

/**
 * A k-way merge (as mergeSorted) over sources read a batch at a time: a
 * source's next batch is read only once the merge has used its previous one
 * and still needs rows: 50 cells asked for 1,000 servers read a first batch of
 * 100 from each (5,000 rows) rather than 50,000. Rows `keep` refuses are dropped
 * and not counted.
 */
export async function mergeBatched<T>(
  sources: ReadonlyArray<BatchedSource<T>>,
  compare: (a: T, b: T) => number,
  limit: number,
  keep: (row: T) => boolean = () => true,
): Promise<T[]> {
  interface Cursor {
    readonly source: number;
    rows: readonly T[];
    pos: number;
    more: boolean;
  }
  const head = (c: Cursor) => c.rows[c.pos];
  const heap = new MinHeap<Cursor>((a, b) => compare(head(a), head(b)) || a.source - b.source);
  sources.forEach((s, i) => {
    if (s.first.length > 0) {
      heap.push({ source: i, rows: s.first, pos: 0, more: s.first.length >= s.batchSize });
    }
  });
  const out: T[] = [];
  while (out.length < limit) {
    const cursor = heap.pop();
    if (!cursor) {
      break;
    }
    const row = head(cursor);
    if (keep(row)) {
      out.push(row);
    }
    cursor.pos += 1;
    if (cursor.pos === cursor.rows.length) {
      if (!cursor.more || out.length >= limit) {
        continue;
      }
      const source = sources[cursor.source];
      const rows = await source.next(row);
      if (!rows || rows.length === 0) {
        continue;
      }
      cursor.rows = rows;
      cursor.pos = 0;
      cursor.more = rows.length >= source.batchSize;
    }
    heap.push(cursor);
  }
  return out;
}
