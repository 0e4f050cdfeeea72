import { cellBatchSize, mergeBatched, type BatchedSource } from './batched-merge';

const byNumber = (a: number, b: number) => a - b;

/** A sorted "cell" of rows read in batches after a marker, counting what it was asked for. */
function cell(rows: number[], batchSize: number) {
  const sorted = [...rows].sort(byNumber);
  const read = { rows: 0, batches: 1 };
  const page = (after: number | undefined) =>
    sorted.filter((r) => after === undefined || r > after).slice(0, batchSize);
  const first = page(undefined);
  read.rows = first.length;
  const source: BatchedSource<number> = {
    first,
    batchSize,
    next: (last) => {
      const rows = page(last);
      read.rows += rows.length;
      read.batches += 1;
      return Promise.resolve(rows);
    },
  };
  return { source, read };
}

describe('cellBatchSize (Nova instance_list_cells_batch_strategy)', () => {
  it('distributes the limit among the cells with 10 % more, never under 100', () => {
    expect(cellBatchSize('distributed', 100, 1000, 5)).toBe(220);
    expect(cellBatchSize('distributed', 100, 1000, 50)).toBe(100);
    expect(cellBatchSize('distributed', 100, 5000, 10)).toBe(550);
  });

  it('asks the fixed size, within the limit; one cell gets the limit', () => {
    expect(cellBatchSize('fixed', 300, 1000, 4)).toBe(300);
    expect(cellBatchSize('fixed', 300, 50, 4)).toBe(50);
    expect(cellBatchSize('distributed', 100, 50, 4)).toBe(50);
    expect(cellBatchSize('distributed', 100, 1000, 1)).toBe(1000);
  });
});

describe('mergeBatched', () => {
  /** 20 cells of 300 interleaved rows each (cell i holds i, i+20, i+40...). */
  const cells = (batchSize: number) =>
    Array.from({ length: 20 }, (_, i) =>
      cell(
        Array.from({ length: 300 }, (_, k) => i + 20 * k),
        batchSize,
      ),
    );

  it('returns what one merge of every row would, reading each cell only as far as the page needs', async () => {
    // The page takes 50 rows of each cell: two batches of 30 apiece, of its 300.
    const all = cells(30);
    const out = await mergeBatched(
      all.map((c) => c.source),
      byNumber,
      1000,
    );
    expect(out).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(all.map((c) => c.read.batches)).toEqual(Array(20).fill(2));
    expect(all.reduce((n, c) => n + c.read.rows, 0)).toBe(20 * 60);
  });

  it('reads a cell further only while the merge takes its rows', async () => {
    // One cell holds the 500 smallest rows; the others only larger ones.
    const busy = cell(
      Array.from({ length: 500 }, (_, i) => i),
      100,
    );
    const others = Array.from({ length: 5 }, (_, i) =>
      cell(
        Array.from({ length: 300 }, (_, k) => 10_000 + i + 5 * k),
        100,
      ),
    );
    const out = await mergeBatched([busy.source, ...others.map((c) => c.source)], byNumber, 450);
    expect(out).toEqual(Array.from({ length: 450 }, (_, i) => i));
    expect(busy.read.batches).toBe(5);
    expect(others.every((c) => c.read.batches === 1)).toBe(true);
  });

  it('drops what keep refuses without counting it, and stops at a source that can no longer be read', async () => {
    const dup = cell([1, 3, 5], 10);
    const twin = cell([3, 4], 10);
    const seen = new Set<number>();
    const broken: BatchedSource<number> = {
      first: [2, 6],
      batchSize: 2,
      next: () => Promise.resolve(null),
    };
    const out = await mergeBatched([dup.source, twin.source, broken], byNumber, 10, (r) =>
      seen.has(r) ? false : (seen.add(r), true),
    );
    expect(out).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
