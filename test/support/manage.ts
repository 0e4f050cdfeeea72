import { runNovaManage } from '../../apps/nova-manage/src/run-nova-manage';
import type { Sections } from './config';

export interface ManageResult {
  code: number;
  out: string;
  err: string;
}

/** Run nova-manage in this process with captured output. */
export async function manage(sections: Sections, ...argv: string[]): Promise<ManageResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runNovaManage(argv, {
    io: {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      progress: { write: () => true } as unknown as NodeJS.WritableStream,
    },
    env: {},
    overrides: sections,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Like manage(), but a non-zero exit fails the test with the output. */
export async function manageOk(sections: Sections, ...argv: string[]): Promise<string> {
  const result = await manage(sections, ...argv);
  if (result.code !== 0) {
    throw new Error(
      `nova-manage ${argv.join(' ')} exited ${result.code}: ${result.out} ${result.err}`,
    );
  }
  return result.out;
}
