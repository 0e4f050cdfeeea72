#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheModule } from '@nova/cache';
import { SchedulerModule, SchedulerRunner } from '@nova/cells/scheduler';
import { ConfigModule, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { nestOptions, runService } from '@nova/process';

@Module({})
class SchedulerAppModule {
  static forConfig(config: NovaConfig): DynamicModule {
    return {
      module: SchedulerAppModule,
      imports: [ConfigModule.forRoot(config), CacheModule, SchedulerModule],
    };
  }
}

/**
 * `nova-scheduler`: select_destinations on the API-level queue (`[DEFAULT]
 * transport_url`), and host discovery every `[scheduler]
 * discover_hosts_in_cells_interval` seconds when that is not negative.
 */
void runService({
  name: 'nova-scheduler',
  async start(config, argv) {
    if (argv.length > 0) {
      throw new Error(`unrecognized arguments: ${argv.join(' ')}`);
    }
    const app = await NestFactory.createApplicationContext(
      SchedulerAppModule.forConfig(config),
      nestOptions,
    );
    try {
      await app.get(SchedulerRunner).start();
    } catch (err) {
      await app.close().catch(() => undefined);
      throw err;
    }
    getLogger('nova-scheduler').info({ host: config.DEFAULT.host }, 'nova-scheduler ready');
    return app;
  },
  workers: (config) => config.scheduler.workers,
});
