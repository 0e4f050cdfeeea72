import type { Command } from 'commander';
import { HostMappingExists } from '@nova/api-db';
import { cellLabel } from '@nova/cell-router';
import { HostMappingService } from '@nova/cells/manage';
import { describeError } from '@nova/common';
import type { CommandContext } from '../../command-context';
import { renderTable } from '../../output/table';
import type { Act } from '../act';
import { discoveryReporter } from './discovery-output';

interface DiscoverOpts {
  cell_uuid?: string;
  verbose?: boolean;
  strict?: boolean;
  byService?: boolean;
}

const DUPLICATE_HOST =
  'ERROR: Duplicate host mapping was encountered. This command should be run once after all compute hosts have been deployed and should not be run in parallel. When run in parallel, the commands will collide with each other trying to map the same hosts in the database at the same time. Error: ';

export function registerHostCommands(cellV2: Command, act: Act): void {
  cellV2
    .command('discover_hosts')
    .description('Searches cells, or a single cell, and maps found hosts.')
    .option(
      '--cell_uuid <cell_uuid>',
      'If provided only this cell will be searched for new hosts to map.',
    )
    .option('--verbose', 'Provide detailed output when discovering hosts.')
    .option(
      '--strict',
      'Considered successful (exit code 0) only when an unmapped host is discovered. Any other outcome will be considered a failure (non-zero exit code).',
    )
    .option('--by-service', 'Discover hosts by service instead of compute node')
    .action(
      act(async (ctx: CommandContext, opts: DiscoverOpts) => {
        const reporter = discoveryReporter(ctx.io, opts.verbose ?? false);
        const results = await (
          await ctx.get(HostMappingService)
        )
          .discover({
            cellUuid: opts.cell_uuid,
            byService: opts.byService ?? false,
            onEvent: reporter.onEvent,
          })
          .finally(reporter.finish);
        let mapped = 0;
        let failed = false;
        for (const r of results) {
          if (r.ok) {
            mapped += r.value;
          } else if (r.error instanceof HostMappingExists) {
            ctx.io.out(DUPLICATE_HOST + r.error.message);
            return 2;
          } else {
            failed = true;
            ctx.io.out(
              `ERROR: Could not discover hosts in cell ${cellLabel(r.cell)}: ${describeError(r.error)}`,
            );
          }
        }
        if (failed) {
          return 255;
        }
        return opts.strict && mapped === 0 ? 1 : 0;
      }),
    );

  cellV2
    .command('list_hosts')
    .description('Lists the hosts in one or all v2 cells.')
    .option('--cell_uuid <cell_uuid>', 'The uuid of the cell.')
    .action(
      act(async (ctx: CommandContext, opts: { cell_uuid?: string }) => {
        const rows = await (await ctx.get(HostMappingService)).list(opts.cell_uuid);
        if (rows === null) {
          ctx.io.out(`Cell with uuid ${opts.cell_uuid ?? ''} was not found.`);
          return 1;
        }
        ctx.io.out(
          renderTable(
            ['Cell Name', 'Cell UUID', 'Hostname'],
            rows.map((r) => [r.cellName, r.cellUuid, r.host]),
          ),
        );
        return 0;
      }),
    );

  cellV2
    .command('delete_host')
    .description('Delete a host by the given host name and the given cell uuid.')
    .requiredOption('--cell_uuid <cell_uuid>', 'The uuid of the cell.')
    .requiredOption('--host <host>', 'The host to delete.')
    .action(
      act(async (ctx: CommandContext, opts: { cell_uuid: string; host: string }) => {
        const outcome = await (await ctx.get(HostMappingService)).delete(opts.cell_uuid, opts.host);
        switch (outcome) {
          case 'cell_not_found':
            ctx.io.out(`Cell with uuid ${opts.cell_uuid} was not found.`);
            return 1;
          case 'host_not_found':
            ctx.io.out(`The host ${opts.host} was not found.`);
            return 2;
          case 'wrong_cell':
            ctx.io.out(`The host ${opts.host} was not found in the cell ${opts.cell_uuid}.`);
            return 3;
          case 'has_instances':
            ctx.io.out(`There are instances on the host ${opts.host}.`);
            return 4;
          case 'deleted':
            return 0;
        }
      }),
    );
}
