import Table from 'cli-table3';

const CHARS = {
  top: '-',
  'top-mid': '+',
  'top-left': '+',
  'top-right': '+',
  bottom: '-',
  'bottom-mid': '+',
  'bottom-left': '+',
  'bottom-right': '+',
  left: '|',
  'left-mid': '+',
  mid: '-',
  'mid-mid': '+',
  right: '|',
  'right-mid': '+',
  middle: '|',
};

export type Cell = string | number | boolean | null;

export interface TableOptions {
  /** Python prettytable's `align`: 'c' (its default) or 'l', header included. */
  readonly align?: 'c' | 'l';
  /** 'frame' (prettytable's default) or 'all': a rule between rows too. */
  readonly hrules?: 'frame' | 'all';
}

/**
 * A table laid out like Nova's prettytable output: rule, header, rule, rows,
 * rule. A cell with newlines spans several lines.
 */
export function renderTable(head: string[], rows: Cell[][], options: TableOptions = {}): string {
  const align = options.align === 'l' ? ('left' as const) : ('center' as const);
  const table = new Table({
    head,
    chars: CHARS,
    colAligns: head.map(() => align),
    style: {
      head: [],
      border: [],
      compact: options.hrules !== 'all',
      'padding-left': 1,
      'padding-right': 1,
    },
  });
  table.push(...rows.map((row) => row.map(pyStr)));
  const text = table.toString();
  if (rows.length === 0) {
    const lines = text.split('\n');
    return [...lines, lines[0]].join('\n'); // prettytable closes an empty table too
  }
  return text;
}

/** Python's str(): how Nova prints booleans and None in tables. */
export function pyStr(value: Cell | undefined): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  return String(value);
}
