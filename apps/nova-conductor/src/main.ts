#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
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

/**
 * `nova-conductor --super`: the super conductor on the API-level queue
 * (`[DEFAULT] transport_url`), scheduling and building. `nova-conductor`: the
 * conductor of the cell whose database is `[database] connection`, on that
 * cell's queue (its cell mapping's transport URL).
 */
void runService({
  name: 'nova-conductor',
  async start(config, argv) {
    const unknown = argv.filter((a) => a !== '--super');
    if (unknown.length > 0) {
      throw new Error(
        `unrecognized arguments: ${unknown.join(' ')} (usage: nova-conductor [--config-file PATH]... [--super])`,
      );
    }
    const app = await NestFactory.createApplicationContext(
      ConductorAppModule.forConfig(config),
      nestOptions,
    );
    const log = getLogger('nova-conductor');
    try {
      installUpgradeLevels(config, app.get(CellRouter));
      if (argv.includes('--super')) {
        await app.get(SuperConductorRunner).start();
        log.info({ role: 'super', host: config.DEFAULT.host }, 'nova-conductor ready');
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
