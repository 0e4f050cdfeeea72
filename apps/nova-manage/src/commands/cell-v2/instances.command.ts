import type { Command } from 'commander';
import { InstanceMappingService } from '@nova/cells/manage';
import type { CommandContext } from '../../command-context';
import type { Act } from '../act';

export function registerInstanceCommands(cellV2: Command, act: Act): void {
  cellV2
    .command('map_instances')
    .description('Map instances of a cell to it (resumable with --max-count).')
    .requiredOption(
      '--cell_uuid <cell_uuid>',
      'Unmigrated instances will be mapped to the cell with the uuid provided.',
    )
    .option(
      '--max-count <max_count>',
      'Maximum number of instances to map. If not set, all instances in the cell will be mapped in batches of 50. If you have a large number of instances, consider specifying a custom value and run the command until it exits with 0.',
    )
    .option(
      '--reset',
      'The command will start from the beginning as opposed to the default behavior of starting from where the last run finished',
    )
    .action(
      act(
        async (
          ctx: CommandContext,
          opts: { cell_uuid: string; maxCount?: string; reset?: boolean },
        ) => {
          let maxCount: number | undefined;
          if (opts.maxCount !== undefined) {
            maxCount = /^\d+$/.test(opts.maxCount) ? Number(opts.maxCount) : -1;
            if (maxCount < 1) {
              ctx.io.out('Must supply a positive value for max-count');
              return 127;
            }
          }
          const { more } = await (
            await ctx.get(InstanceMappingService)
          ).mapInstances(opts.cell_uuid, {
            ...(maxCount === undefined ? {} : { maxCount }),
            reset: opts.reset ?? false,
          });
          return more ? 1 : 0;
        },
      ),
    );

  cellV2
    .command('verify_instance')
    .description('Verify instance mapping to a cell.')
    .requiredOption('--uuid <instance_uuid>', 'The instance UUID to verify')
    .option('--quiet', 'Do not print anything')
    .action(
      act(async (ctx: CommandContext, opts: { uuid: string; quiet?: boolean }) => {
        const say = (line: string) => (opts.quiet ? undefined : ctx.io.out(line));
        const outcome = await (await ctx.get(InstanceMappingService)).verify(opts.uuid);
        switch (outcome.kind) {
          case 'no_mapping':
            say(
              `Instance ${opts.uuid} is not mapped to a cell (upgrade is incomplete) or instance does not exist`,
            );
            return 1;
          case 'no_cell':
            say(`Instance ${opts.uuid} is not mapped to a cell`);
            return 2;
          case 'deleted':
            say(`The instance with uuid ${opts.uuid} has been deleted.`);
            say(
              'Execute `nova-manage db archive_deleted_rows` command to archive this deleted instance and remove its instance_mapping.',
            );
            return 3;
          case 'archived':
            say(`The instance with uuid ${opts.uuid} has been archived.`);
            say('However its instance_mapping remains.');
            return 4;
          case 'mapped':
            say(
              `Instance ${opts.uuid} is in cell: ${outcome.cellName ?? 'None'} (${outcome.cellUuid})`,
            );
            return 0;
        }
      }),
    );
}
