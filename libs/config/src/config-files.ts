import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Where oslo.config looks when no --config-file is given. */
const SEARCH_PATH = ['~/.nova/nova.conf', '~/nova.conf', '/etc/nova/nova.conf', '/etc/nova.conf'];

/**
 * Split `--config-file PATH` / `--config-file=PATH` (repeatable) out of argv.
 * Everything else is returned untouched for the binary's own parser.
 */
export function extractConfigFiles(argv: readonly string[]): { files: string[]; rest: string[] } {
  const files: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--config-file') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new Error('argument --config-file: expected one argument');
      }
      files.push(value);
      i++;
    } else if (arg.startsWith('--config-file=')) {
      files.push(arg.slice('--config-file='.length));
    } else {
      rest.push(arg);
    }
  }
  return { files, rest };
}

/**
 * The files to read: those given, else the first of Nova's default locations that
 * exists, else the embedded default shipped in config/ (zero set-up).
 */
export function resolveConfigFiles(given: readonly string[]): string[] {
  if (given.length > 0) {
    return given.map((file) => resolve(file));
  }
  const found = SEARCH_PATH.map((p) => p.replace(/^~/, homedir())).find((p) => existsSync(p));
  return [found ?? embeddedDefaultConfig()];
}

export function embeddedDefaultConfig(): string {
  return join(packageRoot(), 'config', 'nova.conf');
}

/** The repository / installed package root (holds package.json and config/). */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nest-cli.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`cannot find the package root above ${__dirname}`);
    }
    dir = parent;
  }
  return dir;
}
