// Python's textwrap.wrap(), as oslo.upgradecheck uses it to wrap check details:
// the same chunking (words break after hyphens between letters) and the same
// greedy fill, so long lines break where Nova's do.
const WS = '[\\t\\n\\x0b\\x0c\\r ]';
const NWS = '[^\\t\\n\\x0b\\x0c\\r ]';
const WORD_PUNCT = `[\\w!"'&.,?]`;
const LETTER = '[^\\d\\W]';
const WORD_SEPARATOR = new RegExp(
  `(${WS}+|(?<=${WORD_PUNCT})-{2,}(?=\\w)|${NWS}+?(?:-(?:(?<=${LETTER}{2}-)|(?<=${LETTER}-${LETTER}-))(?=${LETTER}-?${LETTER})|(?=${WS}|$)|(?<=${WORD_PUNCT})(?=-{2,}\\w)))`,
);

export interface WrapOptions {
  readonly initialIndent?: string;
  readonly subsequentIndent?: string;
}

/** Wrap `text` into lines of at most `width` characters (Python's textwrap.wrap defaults). */
export function wrap(text: string, width: number, options: WrapOptions = {}): string[] {
  const chunks = expandTabs(text)
    .replace(/[\n\v\f\r]/g, ' ')
    .split(WORD_SEPARATOR)
    .filter((c) => c !== '');
  chunks.reverse(); // a stack: the next chunk is at the end
  const lines: string[] = [];
  while (chunks.length > 0) {
    const indent =
      lines.length > 0 ? (options.subsequentIndent ?? '') : (options.initialIndent ?? '');
    const room = width - indent.length;
    if (lines.length > 0 && chunks[chunks.length - 1].trim() === '') {
      chunks.pop(); // a line does not start with whitespace
    }
    const line: string[] = [];
    let length = 0;
    while (chunks.length > 0) {
      const chunk = chunks[chunks.length - 1];
      if (length + chunk.length > room) {
        break;
      }
      line.push(chunks.pop()!);
      length += chunk.length;
    }
    if (chunks.length > 0 && chunks[chunks.length - 1].length > room) {
      breakLongWord(chunks, line, room < 1 ? 1 : room - length);
    }
    if (line.length > 0 && line[line.length - 1].trim() === '') {
      line.pop(); // nor end with it
    }
    if (line.length > 0) {
      lines.push(indent + line.join(''));
    }
  }
  return lines;
}

/** Python's _handle_long_word: put what fits of a word too long for any line (up to a hyphen if one fits). */
function breakLongWord(chunks: string[], line: string[], spaceLeft: number): void {
  const chunk = chunks[chunks.length - 1];
  let end = spaceLeft;
  const hyphen = spaceLeft > 0 ? chunk.lastIndexOf('-', spaceLeft - 1) : -1;
  if (hyphen > 0 && /[^-]/.test(chunk.slice(0, hyphen))) {
    end = hyphen + 1;
  }
  line.push(chunk.slice(0, end));
  chunks[chunks.length - 1] = chunk.slice(end);
}

/** Python's str.expandtabs(): tab stops every 8 columns, counted from the last newline. */
function expandTabs(text: string): string {
  let out = '';
  let column = 0;
  for (const ch of text) {
    if (ch === '\t') {
      const pad = 8 - (column % 8);
      out += ' '.repeat(pad);
      column += pad;
    } else {
      out += ch;
      column = ch === '\n' || ch === '\r' ? 0 : column + 1;
    }
  }
  return out;
}
