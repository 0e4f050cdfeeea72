import { MinHeap } from './heap';
import { effectiveSortKeys, type ServerSortKey, type ServerSortKeyName } from './list-query';

/** Anything with the columns a server listing sorts by (ServerRecord is one). */
export type SortableServer = { readonly [K in ServerSortKeyName]?: unknown } & {
  readonly uuid: string;
  readonly created_at: Date;
};

/**
 * Orders servers as the cells' ORDER BY does, so per-cell pages can be merged:
 * the requested keys, then the tie-breakers of effectiveSortKeys (created_at,
 * uuid). NULL sorts as MySQL does: smallest, i.e. first ascending, last
 * descending. Strings compare by code unit (a binary collation).
 */
export function compareServers(
  sortKeys: readonly ServerSortKey[],
): (a: SortableServer, b: SortableServer) => number {
  const keys = effectiveSortKeys(sortKeys);
  return (a, b) => {
    for (const { key, dir } of keys) {
      const c = compareValues(a[key], b[key]);
      if (c !== 0) {
        return dir === 'asc' ? c : -c;
      }
    }
    return 0;
  };
}

function compareValues(a: unknown, b: unknown): number {
  const x = comparable(a);
  const y = comparable(b);
  if (x === null || y === null) {
    return x === y ? 0 : x === null ? -1 : 1;
  }
  if (typeof x !== typeof y) {
    // Never within one column; keeps the order total anyway.
    return typeof x < typeof y ? -1 : 1;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

function comparable(v: unknown): number | string | null {
  if (v === null || v === undefined) {
    return null;
  }
  if (v instanceof Date) {
    return v.getTime();
  }
  if (typeof v === 'boolean') {
    return v ? 1 : 0;
  }
  return typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * A k-way merge of lists each already sorted by `compare` (one per cell),
 * stopping after `limit` items. Equal items keep the order of the lists given.
 */
export function mergeSorted<T>(
  lists: ReadonlyArray<readonly T[]>,
  compare: (a: T, b: T) => number,
  limit: number,
): T[] {
  interface Cursor {
    readonly list: number;
    pos: number;
  }
  const head = (c: Cursor) => lists[c.list][c.pos];
  const heap = new MinHeap<Cursor>((a, b) => compare(head(a), head(b)) || a.list - b.list);
  lists.forEach((list, i) => {
    if (list.length > 0) {
      heap.push({ list: i, pos: 0 });
    }
  });
  const out: T[] = [];
  while (out.length < limit) {
    const cursor = heap.pop();
    if (!cursor) {
      break;
    }
    out.push(head(cursor));
    cursor.pos += 1;
    if (cursor.pos < lists[cursor.list].length) {
      heap.push(cursor);
    }
  }
  return out;
}
