#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=1
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheModule } from '@nova/cache';
import { listenMetadata, MetadataHandler, MetadataModule } from '@nova/cells/metadata';
import { ConfigModule, type NovaConfig } from '@nova/config';
import { nestOptions, runService } from '@nova/process';

@Module({})
class MetadataAppModule {
  static forConfig(config: NovaConfig): DynamicModule {
    return {
      module: MetadataAppModule,
      imports: [ConfigModule.forRoot(config), CacheModule, MetadataModule],
    };
  }
}

/**
 * `nova-api-metadata`: what guests learn about themselves over HTTP
 * (169.254.169.254 behind a proxy), on `[DEFAULT] metadata_listen:
 * metadata_listen_port`. Reads the API database and the guest's cell database.
 */
void runService({
  name: 'nova-api-metadata',
  async start(config, argv) {
    if (argv.length > 0) {
      throw new Error(`unrecognized arguments: ${argv.join(' ')}`);
    }
    const app = await NestFactory.createApplicationContext(
      MetadataAppModule.forConfig(config),
      nestOptions,
    );
    try {
      const { server } = await listenMetadata(app.get(MetadataHandler), config);
      return {
        close: async () => {
          await server.close();
          await app.close();
        },
      };
    } catch (err) {
      await app.close().catch(() => undefined);
      throw err;
    }
  },
});
