import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NOVA_CONFIG, type GlanceOptions, type NovaConfig } from '@nova/config';
import { IMAGE_BACKEND, type ImageBackend } from './image-backend';
import { ImageService } from './image.service';
import { GlanceClient } from './glance-client';
import { GlanceImageBackend } from './glance-backend';
import { LocalImageCatalog, loadCatalog } from './local-catalog';
import { LocalImageStore } from './local-image-store';

/**
 * `[glance] api_servers` set: Glance; unset: the local catalog (a bad catalog
 * stops start-up), its snapshot records under `<state_path>/images`.
 */
export function createImageBackend(config: Pick<NovaConfig, 'glance' | 'DEFAULT'>): ImageBackend {
  const options: GlanceOptions = config.glance;
  const servers = options.api_servers ?? [];
  if (servers.length > 0) {
    return new GlanceImageBackend(
      new GlanceClient({ apiServers: servers, numRetries: options.num_retries }),
    );
  }
  return new LocalImageCatalog(
    loadCatalog(options.local_catalog),
    new LocalImageStore(join(config.DEFAULT.state_path, 'images')),
  );
}

/** ImageService for whoever needs images; needs the global ConfigModule. */
@Module({
  providers: [
    {
      provide: IMAGE_BACKEND,
      useFactory: (config: NovaConfig) => createImageBackend(config),
      inject: [NOVA_CONFIG],
    },
    ImageService,
  ],
  exports: [ImageService],
})
export class ImagesModule {}
