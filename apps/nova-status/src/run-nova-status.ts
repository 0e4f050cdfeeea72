import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommanderError } from 'commander';
import { UpgradeCheckService } from '@nova/cells/manage';
import { describeError } from '@nova/common';
import {
  ConfigError,
  extractConfigFiles,
  loadConfig,
  packageRoot,
  resolveConfigFiles,
} from '@nova/config';
import { configureLogging } from '@nova/logging';
import { StatusAppModule } from './status-app.module';
import { renderResults, resultsJson, worstCode } from './upgrade-check-output';

export interface StatusIO {
  out(text: string): void;
  err(text: string): void;
}

export interface RunStatusOptions {
  io?: StatusIO;
  env?: NodeJS.ProcessEnv;
  /** Config overrides applied last (tests). */
  overrides?: Record<string, Record<string, string>>;
}

/**
 * Run `nova-status` and return its exit code: for `upgrade check`, the worst
 * result (0 success, 1 warning, 2 failure), 255 when a check could not run;
 * 2 for a usage error, 1 for a bad config file. Never throws.
 */
export async function runNovaStatus(
  argv: readonly string[],
  options: RunStatusOptions = {},
): Promise<number> {
  const io = options.io ?? {
    out: (text: string) => process.stdout.write(`${text}\n`),
    err: (text: string) => process.stderr.write(`${text}\n`),
  };
  let files: string[];
  let rest: string[];
  try {
    ({ files, rest } = extractConfigFiles(argv));
  } catch (err) {
    io.err(`nova-status: error: ${describeError(err)}`);
    return 2;
  }
  let exitCode = 0;
  const check = async (opts: { json?: boolean }): Promise<void> => {
    const config = loadConfig({
      files: resolveConfigFiles(files),
      env: options.env ?? process.env,
      overrides: options.overrides,
    });
    configureLogging({ level: config.DEFAULT.debug ? 'debug' : 'warn', fd: 2 });
    let app: INestApplicationContext | undefined;
    try {
      app = await NestFactory.createApplicationContext(StatusAppModule.forConfig(config), {
        logger: false,
        abortOnError: false,
      });
      const results = await app.get(UpgradeCheckService, { strict: false }).run();
      io.out(opts.json ? resultsJson(results) : renderResults(results));
      exitCode = worstCode(results);
    } catch (err) {
      io.out(`Error:\n${describeError(err)}`);
      exitCode = 255; // not to be confused with the checks' codes
    } finally {
      await app?.close().catch(() => undefined);
    }
  };
  const program = new Command('nova-status')
    .description(
      'Upgrade readiness checks. Global option: --config-file PATH (repeatable; later files override).',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .version(packageVersion(), '--version', 'Print the version and exit');
  program
    .command('upgrade')
    .description('Commands related to upgrades.')
    .command('check')
    .description('Checks for the readiness of the deployment for an upgrade.')
    .option('--json', 'Output the results in JSON format.')
    .action(check);
  try {
    await program.parseAsync(rest, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 1;
    }
    io.out(`Error:\n${describeError(err)}`);
    return 255;
  }
  return exitCode;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
