import type { Command } from 'commander';
import { CellMappingService, SimpleCellSetupService } from '@nova/cells/manage';
import { describeError, maskUrl } from '@nova/common';
import type { CommandContext } from '../../command-context';
import { renderTable } from '../../output/table';
import type { Act } from '../act';
import {
  checkDatabaseUrl,
  checkTransportUrl,
  resolveDatabaseUrl,
  resolveTransportUrl,
} from './url-options';

interface CreateOpts {
  name?: string;
  transportUrl?: string;
  database_connection?: string;
  verbose?: boolean;
  disabled?: boolean;
}
interface UpdateOpts {
  cell_uuid: string;
  name?: string;
  transportUrl?: string;
  database_connection?: string;
  disable?: boolean;
  enable?: boolean;
}

const duplicateMessage = (what: 'urls' | 'name', uuid: string, name?: string): string =>
  what === 'urls'
    ? `The specified transport_url and/or database_connection combination already exists for another cell with uuid ${uuid}.`
    : `A cell named ${name ?? ''} already exists with uuid ${uuid}.`;

export function registerCellCommands(cellV2: Command, act: Act): void {
  cellV2
    .command('map_cell0')
    .description('Create a cell mapping for cell0 (instances that could not be scheduled).')
    .option(
      '--database_connection <database_connection>',
      'The database connection url for cell0. This is optional. If not provided, a standard database connection will be used based on the main database connection from the Nova configuration.',
    )
    .action(
      act(async (ctx: CommandContext, opts: { database_connection?: string }) => {
        if (opts.database_connection && !checkDatabaseUrl(ctx, opts.database_connection)) {
          return 1;
        }
        const { created } = await (
          await ctx.get(CellMappingService)
        ).mapCell0(opts.database_connection);
        if (!created) {
          ctx.io.out('Cell0 is already setup');
        }
        return 0;
      }),
    );

  cellV2
    .command('simple_cell_setup')
    .description(
      'Set up a single-cell deployment: map cell0, the configured cell, its hosts and instances.',
    )
    .option('--transport-url <transport_url>', 'The transport url for the cell message queue')
    .action(
      act(async (ctx: CommandContext, opts: { transportUrl?: string }) => {
        const transportUrl = await resolveTransportUrl(ctx, opts.transportUrl);
        if (!transportUrl) {
          return 1;
        }
        const outcome = await (await ctx.get(SimpleCellSetupService)).run(transportUrl);
        if (outcome.cell0Existed) {
          ctx.io.out('Cell0 is already setup');
        }
        if (outcome.cell0SyncError !== undefined) {
          ctx.io.out(`Unable to sync cell0 schema: ${describeError(outcome.cell0SyncError)}`);
        }
        if (outcome.kind === 'no_hosts') {
          ctx.io.out('No hosts found to map to cell, exiting.');
          return 1;
        }
        if (outcome.allMapped) {
          ctx.io.out('All hosts are already mapped to cell(s).');
        }
        return 0;
      }),
    );

  cellV2
    .command('create_cell')
    .description(
      'Add a new cell to nova API database. DB and MQ urls can be provided directly or can be taken from config. The result is cell uuid.',
    )
    .option('--name <cell_name>', 'The name of the cell')
    .option('--database_connection <database_connection>', 'The database url for the cell database')
    .option('--transport-url <transport_url>', 'The transport url for the cell message queue')
    .option('--verbose', 'Output the uuid of the created cell')
    .option('--disabled', 'To create a pre-disabled cell.')
    .action(
      act(async (ctx: CommandContext, opts: CreateOpts) => {
        const transportUrl = await resolveTransportUrl(ctx, opts.transportUrl);
        if (!transportUrl) {
          return 1;
        }
        const databaseConnection = resolveDatabaseUrl(ctx, opts.database_connection);
        if (!databaseConnection) {
          return 1;
        }
        const outcome = await (
          await ctx.get(CellMappingService)
        ).create({
          name: opts.name ?? null,
          transportUrl,
          databaseConnection,
          disabled: opts.disabled ?? false,
        });
        switch (outcome.kind) {
          case 'duplicate':
            ctx.io.out(duplicateMessage(outcome.what, outcome.otherUuid, opts.name));
            return 2;
          case 'unreachable':
            ctx.io.out(outcome.message);
            return 1;
          case 'created':
            if (opts.verbose) {
              ctx.io.out(outcome.cell.uuid);
            }
            return 0;
        }
      }),
    );

  cellV2
    .command('list_cells')
    .description('Lists the v2 cells in the deployment.')
    .option('--verbose', 'Show sensitive details, such as passwords')
    .action(
      act(async (ctx: CommandContext, opts: { verbose?: boolean }) => {
        const cells = await (await ctx.get(CellMappingService)).list();
        const show = (url: string) => (opts.verbose ? url : maskUrl(url));
        ctx.io.out(
          renderTable(
            ['Name', 'UUID', 'Transport URL', 'Database Connection', 'Disabled'],
            cells.map((c) => [
              c.name ?? '',
              c.uuid,
              show(c.transportUrl),
              show(c.databaseConnection),
              c.disabled,
            ]),
          ),
        );
        return 0;
      }),
    );

  cellV2
    .command('update_cell')
    .description(
      'Updates the properties of a cell by the given uuid. Only the values given change; running services see the change within a second.',
    )
    .requiredOption('--cell_uuid <cell_uuid>', 'The uuid of the cell to update.')
    .option('--name <cell_name>', 'Set the cell name.')
    .option('--transport-url <transport_url>', 'Set the cell transport_url.')
    .option('--database_connection <database_connection>', 'Set the cell database_connection.')
    .option('--disable', 'Disables the cell: nothing new is scheduled to it.')
    .option('--enable', 'Enables the cell: it becomes available for scheduling.')
    .action(
      act(async (ctx: CommandContext, opts: UpdateOpts) => {
        if (opts.transportUrl && !(await checkTransportUrl(ctx, opts.transportUrl))) {
          return 2;
        }
        if (opts.database_connection && !checkDatabaseUrl(ctx, opts.database_connection)) {
          return 2;
        }
        const outcome = await (
          await ctx.get(CellMappingService)
        ).update(opts.cell_uuid, {
          name: opts.name,
          transportUrl: opts.transportUrl,
          databaseConnection: opts.database_connection,
          enable: opts.enable ?? false,
          disable: opts.disable ?? false,
        });
        switch (outcome.kind) {
          case 'not_found':
            ctx.io.out(`Cell with uuid ${opts.cell_uuid} was not found.`);
            return 1;
          case 'save_failed':
            ctx.io.out(`Unable to update CellMapping: ${outcome.message}`);
            return 2;
          case 'duplicate':
            ctx.io.out(duplicateMessage(outcome.what, outcome.otherUuid, opts.name));
            return 3;
          case 'both_flags':
            ctx.io.out('Cell cannot be disabled and enabled at the same time.');
            return 4;
          case 'cell0_toggle':
            ctx.io.out('Cell0 cannot be disabled.');
            return 5;
          case 'updated':
            outcome.notes.forEach((note) => ctx.io.out(note));
            return 0;
        }
      }),
    );

  cellV2
    .command('delete_cell')
    .description('Delete an empty cell by the given uuid.')
    .requiredOption('--cell_uuid <cell_uuid>', 'The uuid of the cell to delete.')
    .option('--force', 'Delete hosts and instance_mappings that belong to the cell as well.')
    .action(
      act(async (ctx: CommandContext, opts: { cell_uuid: string; force?: boolean }) => {
        const outcome = await (
          await ctx.get(CellMappingService)
        ).delete(opts.cell_uuid, opts.force ?? false);
        const uuid = opts.cell_uuid;
        switch (outcome.kind) {
          case 'not_found':
            ctx.io.out(`Cell with uuid ${uuid} was not found.`);
            return 1;
          case 'has_hosts':
            ctx.io.out(`There are existing hosts mapped to cell with uuid ${uuid}.`);
            return 2;
          case 'has_instances':
            ctx.io.out(`There are existing instances mapped to cell with uuid ${uuid}.`);
            return 3;
          case 'only_deleted_instances':
            ctx.io.out(
              `There are instance mappings to cell with uuid ${uuid}, but all instances have been deleted in the cell.`,
            );
            ctx.io.out(
              "So execute 'nova-manage db archive_deleted_rows' to delete the instance mappings.",
            );
            return 4;
          case 'deleted':
            return 0;
        }
      }),
    );
}
