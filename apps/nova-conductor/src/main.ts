#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { parseArgs } from 'node:util';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheModule } from '@nova/cache';
import { CellConductorRunner, ConductorModule, SuperConductorRunner } from '@nova/cells/conductor';
import { CellRouter, cellLabel } from '@nova/cell-router';
import { installUpgradeLevels } from '@nova/cells/hosts';
import { ConfigModule, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { nestOptions, runService } from '@nova/process';

@Module({})
class ConductorAppModule {
  static forConfig(config: NovaConfig): DynamicModule {
    return {
      module: ConductorAppModule,
      imports: [ConfigModule.forRoot(config), CacheModule, ConductorModule],
    };
  }
}

const USAGE = 'usage: nova-conductor [--config-file PATH]... [--super | --cell NAME...]';

/** --super, or the cells named by --cell (repeatable); neither: the local cell. */
function conductorArgs(argv: readonly string[]): { super: boolean; cells: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { super: { type: 'boolean' }, cell: { type: 'string', multiple: true } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)} (${USAGE})`);
  }
  const cells = parsed.cell ?? [];
  if (parsed.super && cells.length > 0) {
    throw new Error(`--super and --cell exclude each other (${USAGE})`);
  }
  return { super: parsed.super ?? false, cells };
}

/**
 * `nova-conductor --super`: the super conductor on the API-level queue
 * (`[DEFAULT] transport_url`), scheduling and building. `nova-conductor`: the
 * conductor of the cell whose database is `[database] connection`, on that
 * cell's queue (its cell mapping's transport URL). `nova-conductor --cell A
 * --cell B`: the conductor of each named cell (by name or uuid) in one process,
 * each on its own queue and database from its cell mapping; small cells then
 * need not cost a process each.
 */
void runService({
  name: 'nova-conductor',
  async start(config, argv) {
    const args = conductorArgs(argv);
    const app = await NestFactory.createApplicationContext(
      ConductorAppModule.forConfig(config),
      nestOptions,
    );
    const log = getLogger('nova-conductor');
    try {
      installUpgradeLevels(config, app.get(CellRouter));
      if (args.super) {
        await app.get(SuperConductorRunner).start();
        log.info({ role: 'super', host: config.DEFAULT.host }, 'nova-conductor ready');
      } else if (args.cells.length > 0) {
        const cells = await app.get(CellConductorRunner).startCells(args.cells);
        log.info(
          { role: 'cell', cells: cells.map(cellLabel), host: config.DEFAULT.host },
          'nova-conductor ready',
        );
      } else {
        const cell = await app.get(CellConductorRunner).startLocal();
        log.info(
          { role: 'cell', cell: cellLabel(cell), host: config.DEFAULT.host },
          'nova-conductor ready',
        );
      }
    } catch (err) {
      await app.close().catch(() => undefined);
      throw err;
    }
    return app;
  },
  workers: (config) => config.conductor.workers,
});
