import type { Command } from 'commander';
import { SchemaSyncService } from '@nova/cells/manage';
import { describeError } from '@nova/common';
import type { CommandContext } from '../command-context';
import type { Act } from './act';
import { registerDbMaintenance } from './db-maintenance.command';
import { parseVersion } from './schema-version';

const CELL0_HELP = [
  'ERROR: Could not access cell0.',
  'Has the nova_api database been created?',
  'Has the nova_cell0 database been created?',
  'Has "nova-manage api_db sync" been run?',
  'Has "nova-manage cell_v2 map_cell0" been run?',
  'Is [api_database]/connection set in nova.conf?',
  'Is the cell0 database connection URL correct?',
];

export function registerDb(program: Command, act: Act): void {
  const db = program.command('db').description('Cell database schemas');

  db.command('sync')
    .description('Sync the schema of cell0, every mapped cell and [database] connection.')
    .argument('[VERSION]', 'Database version')
    .option(
      '--local_cell',
      'Only sync db in the local cell: do not attempt to fan-out to all cells',
    )
    .action(
      act(
        async (
          ctx: CommandContext,
          version: string | undefined,
          opts: { local_cell?: boolean },
        ) => {
          const target = parseVersion(version);
          const report = await (
            await ctx.get(SchemaSyncService)
          ).syncCells({
            localCell: opts.local_cell ?? false,
            ...(target === undefined ? {} : { version: target }),
          });
          if (report.cell0Error !== undefined) {
            ctx.io.out([...CELL0_HELP, `Error: ${describeError(report.cell0Error)}`].join('\n'));
            return 1;
          }
          if (report.cell0Missing) {
            ctx.io.out('WARNING: cell0 mapping not found - not syncing cell0.');
          }
          const failed = report.results.filter((r) => !r.ok);
          for (const r of failed) {
            ctx.io.out(
              `ERROR: Could not sync ${r.label}: ${describeError(r.ok ? undefined : r.error)}`,
            );
          }
          return failed.length > 0 ? 1 : 0;
        },
      ),
    );

  db.command('version')
    .description('Print the current database version of [database] connection.')
    .action(
      act(async (ctx: CommandContext) => {
        ctx.io.out(String(await (await ctx.get(SchemaSyncService)).localCellVersion()));
        return 0;
      }),
    );

  registerDbMaintenance(db, act);
}
