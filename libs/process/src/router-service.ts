import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheModule } from '@nova/cache';
import { CellRouter, CellRouterModule, type CellDbSchema } from '@nova/cell-router';
import { ConfigModule, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { nestOptions, type ServiceDefinition } from './run-service';

@Module({})
class RouterServiceModule {
  static forConfig(config: NovaConfig, schema: CellDbSchema): DynamicModule {
    return {
      module: RouterServiceModule,
      imports: [ConfigModule.forRoot(config), CacheModule, CellRouterModule.register(schema)],
    };
  }
}

/** A service that, for now, only validates its config and keeps a live cell router. */
export function routerService(name: string, schema: CellDbSchema): ServiceDefinition {
  return {
    name,
    async start(config) {
      const app = await NestFactory.createApplicationContext(
        RouterServiceModule.forConfig(config, schema),
        nestOptions,
      );
      const cells = await app.get(CellRouter).cells();
      getLogger(name).info({ cells: cells.length }, `${name} ready`);
      return app;
    },
  };
}
