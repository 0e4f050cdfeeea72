import { InvalidArgumentError, type Command } from 'commander';
import { InvalidDateArgument, parseDateArgument, renderTable } from '@nova/cli';
import {
  ApiDatabaseUnreachable,
  ArchiveService,
  OnlineDataMigrationsService,
} from '@nova/cells/manage';
import { describeError } from '@nova/common';
import type { CommandContext, ExitCode } from '../command-context';
import type { Act } from './act';

/** SQLAlchemy's Integer: the largest --max_rows Nova accepts. */
const MAX_INT = 2147483647;

/** Batch size of online_data_migrations without --max-count (Nova's). */
const ODM_BATCH = 50;

/** argparse's `type=int`: a bad value is a usage error (exit 2). */
function int(value: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(value)) {
    throw new InvalidArgumentError(`invalid int value: '${value}'`);
  }
  return Number(value);
}

/** `--before`, or the exit code after Nova's message. */
function before(
  ctx: CommandContext,
  text: string | undefined,
  badExit: number,
): Date | number | undefined {
  if (text === undefined) {
    return undefined;
  }
  try {
    return parseDateArgument(text);
  } catch (err) {
    if (err instanceof InvalidDateArgument) {
      ctx.io.out(`Invalid value for --before: ${err.message}`);
      return badExit;
    }
    throw err;
  }
}

interface ArchiveOpts {
  max_rows: number;
  before?: string;
  verbose?: boolean;
  untilComplete?: boolean;
  purge?: boolean;
  allCells?: boolean;
  taskLog?: boolean;
  sleep: number;
}

interface PurgeOpts {
  before?: string;
  all?: boolean;
  verbose?: boolean;
  allCells?: boolean;
}

export function registerDbMaintenance(db: Command, act: Act): void {
  db.command('archive_deleted_rows')
    .description(
      'Move deleted rows from production tables to shadow tables. Returns 0 if nothing was archived, 1 if some number of rows were archived, 2 if max_rows is invalid, 3 if no connection could be established to the API DB, 4 if before date is invalid.',
    )
    .option(
      '--max_rows <number>',
      'Maximum number of deleted rows to archive per table. Defaults to 1000. Note that this number is a soft limit and does not include the corresponding rows, if any, that are removed from the API database for deleted instances.',
      int,
      1000,
    )
    .option(
      '--before <date>',
      'Archive rows that have been deleted before this date. Accepts date strings in the default format output by the ``date`` command, as well as ``YYYY-MM-DD [HH:mm:ss]``.',
    )
    .option('--verbose', 'Print how many rows were archived per table.')
    .option(
      '--until-complete',
      'Run continuously until all deleted rows are archived. Use max_rows as a batch size for each iteration.',
    )
    .option('--purge', 'Purge all data from shadow tables after archive completes')
    .option('--all-cells', 'Run command across all cells.')
    .option(
      '--task-log',
      'Also archive ``task_log`` table records. Note that ``task_log`` records are never deleted, so archiving them will move all of the ``task_log`` records up to now into the shadow tables. It is recommended to also specify the ``--before`` option to avoid races for those consuming ``task_log`` record data via the ``/os-instance_usage_audit_log`` API (example: Telemetry).',
    )
    .option(
      '--sleep <seconds>',
      'The amount of time in seconds to sleep between batches when ``--until-complete`` is used. Defaults to 0.',
      int,
      0,
    )
    .action(act((ctx: CommandContext, opts: ArchiveOpts) => archive(ctx, opts)));

  db.command('purge')
    .description('Delete rows from the shadow tables.')
    .option(
      '--before <before>',
      'If specified, purge rows from shadow tables that are older than this. Accepts date strings in the default format output by the ``date`` command, as well as ``YYYY-MM-DD [HH:mm:ss]``.',
    )
    .option('--all', 'Purge all rows in the shadow tables')
    .option('--verbose', 'Print information about purged records')
    .option('--all-cells', 'Run against all cell databases')
    .action(act((ctx: CommandContext, opts: PurgeOpts) => purge(ctx, opts)));

  db.command('online_data_migrations')
    .description(
      'Perform data migration to update all live data (every mapped cell and [database] connection).',
    )
    .option('--max-count <number>', 'Maximum number of objects to consider')
    .action(
      act((ctx: CommandContext, opts: { maxCount?: string }) => onlineDataMigrations(ctx, opts)),
    );
}

async function archive(ctx: CommandContext, opts: ArchiveOpts): Promise<ExitCode> {
  if (opts.max_rows < 0) {
    ctx.io.out('Must supply a positive value for max_rows');
    return 2;
  }
  if (opts.max_rows > MAX_INT) {
    ctx.io.out(`max rows must be <= ${MAX_INT}`);
    return 2;
  }
  const service = await ctx.get(ArchiveService);
  const beforeDate = before(ctx, opts.before, 4);
  if (typeof beforeDate === 'number') {
    return beforeDate;
  }
  const progress = progressLine(ctx, Boolean(opts.untilComplete && opts.verbose));
  let stop = false;
  const onInterrupt = () => (stop = true);
  process.once('SIGINT', onInterrupt);
  let report;
  try {
    report = await service.archive({
      maxRows: opts.max_rows,
      untilComplete: opts.untilComplete ?? false,
      allCells: opts.allCells ?? false,
      taskLog: opts.taskLog ?? false,
      sleepSeconds: opts.sleep,
      ...(beforeDate ? { before: beforeDate } : {}),
      onStart: () => progress.write('Archiving..'),
      onBatch: () => progress.write('.'),
      stopRequested: () => stop,
    });
  } catch (err) {
    progress.end('');
    if (err instanceof ApiDatabaseUnreachable) {
      ctx.io.out(
        'Failed to connect to API DB so aborting this archival attempt. Please check your config file to make sure that [api_database]/connection is set and run this command again.',
      );
      return 3;
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  progress.end(report.interrupted ? '.stopped' : '.complete');
  for (const failure of report.failures) {
    ctx.io.out(`ERROR: Could not archive ${failure.label}: ${describeError(failure.error)}`);
  }
  const archived = Object.keys(report.rows).length > 0;
  if (opts.verbose) {
    ctx.io.out(
      archived
        ? renderTable(
            ['Table', 'Number of Rows Archived'],
            Object.entries(report.rows)
              .sort(([a], [b]) => compareTableNames(a, b, opts.allCells ?? false))
              .map(([table, count]) => [table, count]),
            { align: 'l' },
          )
        : 'Nothing was archived.',
    );
  }
  if (archived && opts.purge) {
    if (opts.verbose) {
      ctx.io.out('Rows were archived, running purge...');
    }
    await purge(ctx, {
      all: true,
      verbose: opts.verbose ?? false,
      allCells: opts.allCells ?? false,
    });
  }
  if (report.failures.length > 0) {
    return 255;
  }
  return archived ? 1 : 0;
}

/** Nova sorts by table name, and with --all-cells by (cell, table). */
function compareTableNames(a: string, b: string, byCell: boolean): number {
  const key = (name: string): string[] => (byCell ? name.split('.') : [name]);
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const [x, y] = [ka[i] ?? '', kb[i] ?? ''];
    if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/** "Archiving.." and a dot per batch on one line: written as it goes where the output allows it. */
function progressLine(ctx: CommandContext, enabled: boolean) {
  let pending = '';
  let started = false;
  return {
    write(text: string): void {
      if (!enabled) {
        return;
      }
      started = true;
      if (ctx.io.write) {
        ctx.io.write(text);
      } else {
        pending += text;
      }
    },
    end(text: string): void {
      if (started) {
        ctx.io.out(pending + text);
        pending = '';
        started = false;
      }
    },
  };
}

async function purge(ctx: CommandContext, opts: PurgeOpts): Promise<ExitCode> {
  if (opts.before === undefined && !opts.all) {
    ctx.io.out('Either --before or --all is required');
    return 1;
  }
  const beforeDate = before(ctx, opts.before, 2);
  if (typeof beforeDate === 'number') {
    return beforeDate;
  }
  let deleted: number;
  try {
    deleted = await (
      await ctx.get(ArchiveService)
    ).purge({
      before: beforeDate ?? null,
      allCells: opts.allCells ?? false,
      status: (message) => (opts.verbose ? ctx.io.out(message) : undefined),
    });
  } catch (err) {
    if (err instanceof ApiDatabaseUnreachable) {
      ctx.io.out('Unable to get cell list from API DB. Is it configured?');
      return 4;
    }
    throw err;
  }
  return deleted > 0 ? 0 : 3;
}

async function onlineDataMigrations(
  ctx: CommandContext,
  opts: { maxCount?: string },
): Promise<ExitCode> {
  const unlimited = opts.maxCount === undefined;
  let maxCount = ODM_BATCH;
  if (!unlimited) {
    maxCount = /^\s*[+-]?\d+\s*$/.test(opts.maxCount!) ? Number(opts.maxCount) : -1;
    if (maxCount < 1) {
      ctx.io.out('Must supply a positive value for max_number');
      return 127;
    }
  } else {
    ctx.io.out(`Running batches of ${maxCount} until complete`);
  }
  const session = await (await ctx.get(OnlineDataMigrationsService)).session();
  const totals = new Map<string, [number, number]>();
  let ran: number | undefined;
  let failed = false;
  try {
    while (ran === undefined || ran !== 0) {
      const batch = await session.batch(maxCount);
      ran = 0;
      for (const [name, [found, done]] of batch.results) {
        if (found > 0) {
          ctx.io.out(`${found} rows matched query ${name}, ${done} migrated`);
        }
        const [f, d] = totals.get(name) ?? [0, 0];
        totals.set(name, [f + found, d + done]);
        ran += done;
      }
      for (const name of batch.errors) {
        ctx.io.out(`Error attempting to run ${name}`);
      }
      failed = batch.errors.length > 0;
      if (!unlimited) {
        break;
      }
    }
  } finally {
    await session.close();
  }
  ctx.io.out(
    renderTable(
      ['Migration', 'Total Needed', 'Completed'],
      [...totals.keys()].sort().map((name) => [name, ...totals.get(name)!]),
    ),
  );
  if (failed && (unlimited || !ran)) {
    ctx.io.out('Some migrations failed unexpectedly. Check log for details.');
    return 2;
  }
  return ran ? 1 : 0;
}
