import { Module } from '@nestjs/common';
import { ApiDbModule } from '@nova/api-db';
import { CellRouterModule } from '@nova/cell-router';
import { CELL_SCHEMA } from '@nova/cells/db';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { metadataOptions } from '@nova/metadata';
import { GuestFinder } from './guest-finder';
import { MetadataHandler } from './metadata-handler';

/**
 * The metadata service's request handling over the API and cell databases.
 * Needs ConfigModule and CacheModule; serve it with `listenMetadata`
 * (nova-api-metadata, nova-all).
 */
@Module({
  imports: [CellRouterModule.register(CELL_SCHEMA), ApiDbModule],
  providers: [
    GuestFinder,
    {
      provide: MetadataHandler,
      useFactory: (finder: GuestFinder, config: NovaConfig) =>
        new MetadataHandler(finder, {
          useForwardedFor: config.api.use_forwarded_for,
          serviceMetadataProxy: config.neutron.service_metadata_proxy,
          sharedSecret: config.neutron.metadata_proxy_shared_secret,
          options: metadataOptions(config),
        }),
      inject: [GuestFinder, NOVA_CONFIG],
    },
  ],
  exports: [MetadataHandler],
})
export class MetadataModule {}
