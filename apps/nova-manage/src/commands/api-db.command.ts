import type { Command } from 'commander';
import { SchemaSyncService } from '@nova/cells/manage';
import type { CommandContext } from '../command-context';
import type { Act } from './act';
import { parseVersion } from './schema-version';

export function registerApiDb(program: Command, act: Act): void {
  const apiDb = program.command('api_db').description('API database schema');

  apiDb
    .command('sync')
    .description('Sync the API database schema up to the most recent version (or VERSION).')
    .argument('[VERSION]', 'Database version')
    .action(
      act(async (ctx: CommandContext, version?: string) => {
        await (await ctx.get(SchemaSyncService)).syncApi(parseVersion(version));
        return 0;
      }),
    );

  apiDb
    .command('version')
    .description('Print the current API database version.')
    .action(
      act(async (ctx: CommandContext) => {
        ctx.io.out(String(await (await ctx.get(SchemaSyncService)).apiVersion()));
        return 0;
      }),
    );
}
