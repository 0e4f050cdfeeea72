import { runNovaStatus } from '../../apps/nova-status/src/run-nova-status';
import type { Sections } from './config';

/** Run nova-status in this process with captured output. */
export async function status(
  sections: Sections,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runNovaStatus(argv, {
    io: { out: (s) => out.push(s), err: (s) => err.push(s) },
    env: {},
    overrides: sections,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The checks of nova-status's table: name -> [result, details with wrapped lines joined back]. */
export function statusChecks(out: string): Record<string, [string, string]> {
  const cells = out
    .split('\n')
    .filter((l) => l.startsWith('| '))
    .slice(1)
    .map((l) => l.slice(2, -1).trimEnd());
  const found: Record<string, [string, string]> = {};
  let name = '';
  for (const line of cells) {
    if (line.startsWith('Check: ')) {
      name = line.slice('Check: '.length);
      found[name] = ['', ''];
    } else if (line.startsWith('Result: ')) {
      found[name][0] = line.slice('Result: '.length);
    } else if (line.startsWith('Details: ')) {
      found[name][1] = line.slice('Details: '.length);
    } else {
      // Python's textwrap breaks at spaces (dropped) or after a hyphen (kept).
      const text = found[name][1];
      found[name][1] = text + (text.endsWith('-') ? '' : ' ') + line.trim();
    }
  }
  return found;
}
