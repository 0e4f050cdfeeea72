#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { nestOptions, runService } from '@nova/process';

/** A compute host holds no database credentials: it reaches its cell only through the cell conductor. */
@Module({})
class ComputeModule {
  static forConfig(config: NovaConfig): DynamicModule {
    return { module: ComputeModule, imports: [ConfigModule.forRoot(config)] };
  }
}

void runService({
  name: 'nova-compute',
  async start(config) {
    const app = await NestFactory.createApplicationContext(
      ComputeModule.forConfig(config),
      nestOptions,
    );
    getLogger('nova-compute').info({ host: config.DEFAULT.host }, 'nova-compute ready');
    return app;
  },
});
