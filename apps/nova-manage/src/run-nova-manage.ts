import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Command, CommanderError } from 'commander';
import { describeError, NovaError } from '@nova/common';
import {
  ConfigError,
  extractConfigFiles,
  loadConfig,
  packageRoot,
  resolveConfigFiles,
  type NovaConfig,
} from '@nova/config';
import { configureLogging } from '@nova/logging';
import { commandContext } from './command-context';
import { makeAct } from './commands/act';
import { registerApiDb } from './commands/api-db.command';
import { registerCellV2 } from './commands/cell-v2';
import { registerDb } from './commands/db.command';
import { ManageAppModule } from './manage-app.module';
import { processIO, type ManageIO } from './output/manage-io';

export interface RunOptions {
  io?: ManageIO;
  env?: NodeJS.ProcessEnv;
  /** Config overrides applied last (tests). */
  overrides?: Record<string, Record<string, string>>;
}

/**
 * Run one nova-manage command and return its exit code (Nova's codes: 0 ok, 1-5
 * per command, 2 usage, 127 bad --max-count, 255 unexpected error). Never throws
 * and never prints a stack trace. main.ts and the tests both call this.
 */
export async function runNovaManage(
  argv: readonly string[],
  options: RunOptions = {},
): Promise<number> {
  const io = options.io ?? processIO();
  let exitCode = 0;
  let files: string[];
  let rest: string[];
  try {
    ({ files, rest } = extractConfigFiles(argv));
  } catch (err) {
    io.err(`nova-manage: error: ${describeError(err)}`);
    return 2;
  }
  let config: NovaConfig | undefined;
  const getConfig = (): NovaConfig => {
    config ??= loadConfig({
      files: resolveConfigFiles(files),
      env: options.env ?? process.env,
      overrides: options.overrides,
    });
    return config;
  };
  let app: Promise<INestApplicationContext> | undefined;
  const open = () => {
    app ??= (async () => {
      const cfg = getConfig();
      configureLogging({ level: cfg.DEFAULT.debug ? 'debug' : 'warn', fd: 2 });
      return NestFactory.createApplicationContext(ManageAppModule.forConfig(cfg), {
        logger: false,
        abortOnError: false,
      });
    })();
    return app;
  };
  const ctx = commandContext(io, getConfig, open);
  const program = buildProgram(
    io,
    makeAct(ctx, (code) => (exitCode = code)),
  );
  try {
    await program.parseAsync(rest, { from: 'user' });
  } catch (err) {
    exitCode = exitCodeFor(err, io);
  } finally {
    if (app) {
      await app.then((a) => a.close()).catch(() => undefined);
    }
  }
  return exitCode;
}

function buildProgram(io: ManageIO, act: ReturnType<typeof makeAct>): Command {
  const program = new Command('nova-manage')
    .description(
      'Nova management tool. Global option: --config-file PATH (repeatable; later files override).',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .version(packageVersion(), '--version', 'Print the version and exit');
  registerApiDb(program, act);
  registerDb(program, act);
  registerCellV2(program, act);
  program
    .command('version')
    .description('Print the version')
    .action(() => io.out(packageVersion()));
  return program;
}

function exitCodeFor(err: unknown, io: ManageIO): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? 0 : 2; // usage errors exit 2, as argparse does
  }
  if (err instanceof ConfigError) {
    io.err(err.message);
    return 1;
  }
  if (err instanceof NovaError) {
    io.out(err.message);
    return 255;
  }
  io.out(`An error has occurred: ${describeError(err)}`);
  return 255;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
