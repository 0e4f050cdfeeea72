import { wrap } from './textwrap';

/** Expected lines produced by CPython's textwrap.wrap(text, width, subsequent_indent=' ' * 9). */
const PYTHON_CASES: Array<[string, number, string[]]> = [
  [
    "There needs to be at least two cell mappings, one for cell0 and one for your first cell. Run command 'nova-manage cell_v2 simple_cell_setup' and then retry.",
    60,
    [
      'There needs to be at least two cell mappings, one for cell0',
      "         and one for your first cell. Run command 'nova-",
      "         manage cell_v2 simple_cell_setup' and then retry.",
    ],
  ],
  [
    "No host mappings or compute nodes were found. Remember to run command 'nova-manage cell_v2 discover_hosts' when new compute hosts are deployed.",
    60,
    [
      'No host mappings or compute nodes were found. Remember to',
      "         run command 'nova-manage cell_v2 discover_hosts'",
      '         when new compute hosts are deployed.',
    ],
  ],
  [
    'Current Nova version does not support computes older than Yoga but the minimum compute service level in your system is 50 and the oldest supported service level is 61.',
    60,
    [
      'Current Nova version does not support computes older than',
      '         Yoga but the minimum compute service level in your',
      '         system is 50 and the oldest supported service level',
      '         is 61.',
    ],
  ],
  [
    'Compute hosts not mapped to a cell: compute-x (cell cell1(7a9c1a4e-1b2c-4d5e-8f90-0123456789ab)). Run command x-y-z',
    60,
    [
      'Compute hosts not mapped to a cell: compute-x (cell',
      '         cell1(7a9c1a4e-1b2c-4d5e-8f90-0123456789ab)). Run',
      '         command x-y-z',
    ],
  ],
  [
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa short',
    60,
    [
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      '         aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      '         aaaaaaaaaaaaaaaaaaa short',
    ],
  ],
  [
    'well-known self-evident ultra-long-hyphenated-word-that-goes-on-and-on-and-on-forever-and-ever yes',
    20,
    [
      'well-known self-',
      '         evident',
      '         ultra-long-',
      '         hyphenated-',
      '         word-that-',
      '         goes-on-',
      '         and-on-and-',
      '         on-forever-',
      '         and-ever',
      '         yes',
    ],
  ],
  [
    'tabs\tand\nnewlines  double  spaces',
    10,
    [
      'tabs',
      '         a',
      '         n',
      '         d',
      '         n',
      '         e',
      '         w',
      '         l',
      '         i',
      '         n',
      '         e',
      '         s',
      '         d',
      '         o',
      '         u',
      '         b',
      '         l',
      '         e',
      '         s',
      '         p',
      '         a',
      '         c',
      '         e',
      '         s',
    ],
  ],
];

describe('wrap (Python textwrap)', () => {
  it.each(PYTHON_CASES)('wraps %j at %i like Python', (text, width, expected) => {
    expect(wrap(text, width, { subsequentIndent: ' '.repeat(9) })).toEqual(expected);
  });

  it('keeps a short text on one line', () => {
    expect(wrap('Details here', 60)).toEqual(['Details here']);
  });
});
