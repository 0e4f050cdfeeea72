import { CellMappingService } from '@nova/cells/manage';
import { describeError, InvalidUrl } from '@nova/common';
import { parseSqlUrl } from '@nova/database';
import type { CommandContext } from '../../command-context';

/**
 * The transport URL for a new cell: --transport-url, else [DEFAULT] transport_url
 * (saying so), checked for syntax. Undefined (after printing why) when unusable.
 */
export async function resolveTransportUrl(
  ctx: CommandContext,
  given: string | undefined,
): Promise<string | undefined> {
  let url = given;
  if (!url) {
    if (!ctx.config.DEFAULT.transport_url) {
      ctx.io.out(
        'Must specify --transport-url if [DEFAULT]/transport_url is not set in the configuration file.',
      );
      return undefined;
    }
    ctx.io.out(
      '--transport-url not provided in the command line, using the value [DEFAULT]/transport_url from the configuration file',
    );
    url = ctx.config.DEFAULT.transport_url;
  }
  return (await checkTransportUrl(ctx, url)) ? url : undefined;
}

export async function checkTransportUrl(ctx: CommandContext, url: string): Promise<boolean> {
  try {
    (await ctx.get(CellMappingService)).checkTransportUrl(url);
    return true;
  } catch (err) {
    ctx.io.out(
      `Invalid transport URL: ${err instanceof InvalidUrl ? String(err.kwargs['reason']) : describeError(err)}`,
    );
    return false;
  }
}

/** The database URL for a new cell: --database_connection, else [database] connection (saying so). */
export function resolveDatabaseUrl(
  ctx: CommandContext,
  given: string | undefined,
): string | undefined {
  let url = given;
  if (!url) {
    if (!ctx.config.database.connection) {
      ctx.io.out(
        'Must specify --database_connection if [database]/connection is not set in the configuration file.',
      );
      return undefined;
    }
    ctx.io.out(
      '--database_connection not provided in the command line, using the value [database]/connection from the configuration file',
    );
    url = ctx.config.database.connection;
  }
  return checkDatabaseUrl(ctx, url) ? url : undefined;
}

export function checkDatabaseUrl(ctx: CommandContext, url: string): boolean {
  if (url.includes('{')) {
    return true; // a template: checked once filled, when the cell is used
  }
  try {
    parseSqlUrl(url);
    return true;
  } catch (err) {
    ctx.io.out(
      `Invalid database connection URL: ${err instanceof InvalidUrl ? String(err.kwargs['reason']) : describeError(err)}`,
    );
    return false;
  }
}
