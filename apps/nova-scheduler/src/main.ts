#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheModule } from '@nova/cache';
import { CellRouter, CellRouterModule } from '@nova/cell-router';
import { CELL_SCHEMA } from '@nova/cells/db';
import { ConfigModule, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { nestOptions, runService } from '@nova/process';

@Module({})
class AppModule {
  static forConfig(config: NovaConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), CacheModule, CellRouterModule.register(CELL_SCHEMA)],
    };
  }
}

void runService({
  name: 'nova-scheduler',
  async start(config) {
    const app = await NestFactory.createApplicationContext(
      AppModule.forConfig(config),
      nestOptions,
    );
    const cells = await app.get(CellRouter).cells();
    getLogger('nova-scheduler').info({ cells: cells.length }, 'nova-scheduler ready');
    return app;
  },
});
