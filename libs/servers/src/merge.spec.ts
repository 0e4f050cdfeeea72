import { effectiveSortKeys, type ServerSortKey } from './list-query';
import { MinHeap } from './heap';
import { compareServers, mergeSorted, type SortableServer } from './merge';

/** Deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Row extends SortableServer {
  readonly uuid: string;
  readonly created_at: Date;
  readonly display_name: string | null;
  readonly host: string | null;
  readonly locked: boolean;
  readonly launched_at: Date | null;
  readonly cell: number;
}

/** Few distinct values, NULLs and equal timestamps, so ties and tie-breakers are exercised. */
function randomRows(random: () => number, count: number): Row[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  return Array.from({ length: count }, () => ({
    uuid: Array.from({ length: 32 }, () => pick([...'0123456789abcdef'])).join(''),
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, pick([0, 1, 2, 3]))),
    display_name: pick(['a', 'b', 'B', '', null]),
    host: pick(['c1', 'c2', null]),
    locked: random() < 0.5,
    launched_at: pick([null, new Date(5000), new Date(6000)]),
    cell: pick([0, 1, 2]),
  }));
}

const SORTS: ServerSortKey[][] = [
  [],
  [{ key: 'display_name', dir: 'asc' }],
  [{ key: 'display_name', dir: 'desc' }],
  [
    { key: 'host', dir: 'asc' },
    { key: 'locked', dir: 'desc' },
  ],
  [
    { key: 'launched_at', dir: 'desc' },
    { key: 'display_name', dir: 'asc' },
  ],
  [
    { key: 'uuid', dir: 'asc' },
    { key: 'created_at', dir: 'desc' },
  ],
];

/** One page as the API builds it: each cell's sorted rows after the marker, cut, then merged. */
function page(cells: Row[][], cmp: (a: Row, b: Row) => number, limit: number, marker?: Row): Row[] {
  const perCell = cells.map((rows) =>
    rows.filter((r) => marker === undefined || cmp(r, marker) > 0).slice(0, limit),
  );
  return mergeSorted(perCell, cmp, limit);
}

describe('compareServers', () => {
  it('sorts NULL first ascending and last descending, like MySQL', () => {
    const rows = [
      { uuid: '1', created_at: new Date(0), display_name: 'b' },
      { uuid: '2', created_at: new Date(0), display_name: null },
      { uuid: '3', created_at: new Date(0), display_name: 'a' },
    ];
    const asc = [...rows].sort(compareServers([{ key: 'display_name', dir: 'asc' }]));
    expect(asc.map((r) => r.uuid)).toEqual(['2', '3', '1']);
    const desc = [...rows].sort(compareServers([{ key: 'display_name', dir: 'desc' }]));
    expect(desc.map((r) => r.uuid)).toEqual(['1', '3', '2']);
  });

  it('defaults to created_at desc, then uuid desc', () => {
    const rows = [
      { uuid: 'a', created_at: new Date(1) },
      { uuid: 'b', created_at: new Date(2) },
      { uuid: 'c', created_at: new Date(1) },
    ];
    expect([...rows].sort(compareServers([])).map((r) => r.uuid)).toEqual(['b', 'c', 'a']);
  });

  it('breaks ties on created_at then uuid in the first key direction', () => {
    const rows = [
      { uuid: 'b', created_at: new Date(1), locked: false },
      { uuid: 'a', created_at: new Date(1), locked: false },
      { uuid: 'c', created_at: new Date(0), locked: false },
    ];
    const cmp = compareServers([{ key: 'locked', dir: 'asc' }]);
    expect([...rows].sort(cmp).map((r) => r.uuid)).toEqual(['c', 'a', 'b']);
    expect(cmp(rows[0], rows[0])).toBe(0);
  });

  it('completes sort keys as the cells must', () => {
    expect(effectiveSortKeys([])).toEqual([
      { key: 'created_at', dir: 'desc' },
      { key: 'uuid', dir: 'desc' },
    ]);
    expect(effectiveSortKeys([{ key: 'display_name', dir: 'asc' }])).toEqual([
      { key: 'display_name', dir: 'asc' },
      { key: 'created_at', dir: 'asc' },
      { key: 'uuid', dir: 'asc' },
    ]);
    expect(
      effectiveSortKeys([
        { key: 'uuid', dir: 'desc' },
        { key: 'created_at', dir: 'asc' },
      ]),
    ).toEqual([
      { key: 'uuid', dir: 'desc' },
      { key: 'created_at', dir: 'asc' },
    ]);
  });
});

describe('mergeSorted', () => {
  const num = (a: number, b: number) => a - b;

  it('merges sorted lists and stops at the limit', () => {
    expect(mergeSorted([[1, 4, 7], [2, 5], [], [0, 3, 6, 9]], num, 100)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 9,
    ]);
    expect(
      mergeSorted(
        [
          [1, 4, 7],
          [2, 5],
        ],
        num,
        3,
      ),
    ).toEqual([1, 2, 4]);
    expect(mergeSorted([[1]], num, 0)).toEqual([]);
    expect(mergeSorted([], num, 5)).toEqual([]);
  });

  it('keeps equal items in list order', () => {
    const byKey = (a: { k: number }, b: { k: number }) => a.k - b.k;
    const merged = mergeSorted(
      [
        [
          { k: 1, from: 'x' },
          { k: 2, from: 'x' },
        ],
        [{ k: 1, from: 'y' }],
      ],
      byKey,
      10,
    );
    expect(merged.map((m) => `${m.k}${m.from}`)).toEqual(['1x', '1y', '2x']);
  });

  it.each(SORTS.map((s, i) => [i, s] as const))(
    'pages with a marker join to the single sorted list (sort #%i)',
    (index, sort) => {
      for (let seed = 1; seed <= 40; seed++) {
        const random = rng(seed * 101 + index);
        const all = randomRows(random, Math.floor(random() * 60));
        const cmp = compareServers(sort);
        const expected = [...all].sort(cmp);
        const cells = [0, 1, 2].map((c) => expected.filter((r) => r.cell === c));
        const limit = 1 + Math.floor(random() * 7);
        const joined: Row[] = [];
        let marker: Row | undefined;
        for (let guard = 0; guard < 1000; guard++) {
          const p = page(cells, cmp, limit, marker);
          joined.push(...p);
          if (p.length < limit) {
            break;
          }
          marker = p[p.length - 1];
        }
        expect(joined.map((r) => r.uuid)).toEqual(expected.map((r) => r.uuid));
      }
    },
  );
});

describe('MinHeap', () => {
  it('pops in order', () => {
    const random = rng(7);
    const heap = new MinHeap<number>((a, b) => a - b);
    const values = Array.from({ length: 200 }, () => Math.floor(random() * 50));
    values.forEach((v) => heap.push(v));
    const out: number[] = [];
    while (heap.size > 0) {
      out.push(heap.pop()!);
    }
    expect(out).toEqual([...values].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
  });
});
