import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export function binPath(name: string): string {
  return join(ROOT, 'dist', 'apps', name, 'src', 'main.js');
}

export interface SpawnResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a built binary (the global setup builds) and collect its output and exit code. */
export function runBin(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<SpawnResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [binPath(name), ...args],
      { env: { ...process.env, NOVA_LOG_LEVEL: 'error', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code =
          err && typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : err
              ? 1
              : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
