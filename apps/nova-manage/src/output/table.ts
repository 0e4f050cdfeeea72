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

/** A table laid out like Nova's prettytable output: rule, centred header, rule, rows, rule. */
export function renderTable(
  head: string[],
  rows: Array<Array<string | number | boolean | null>>,
): string {
  const table = new Table({
    head,
    chars: CHARS,
    colAligns: head.map(() => 'center' as const),
    style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
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
export function pyStr(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  return String(value);
}
