import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { CACHE_BACKEND, type CacheBackend } from './cache-backend';
import { createCache } from './create-cache';
import { RedisCache } from './redis-cache';

@Global()
@Module({
  providers: [
    {
      provide: CACHE_BACKEND,
      inject: [NOVA_CONFIG],
      useFactory: async (config: NovaConfig): Promise<CacheBackend> => {
        const cache = createCache(config);
        if (cache instanceof RedisCache) {
          await cache.waitReady(config.cache.redis_socket_timeout * 1000 * 2);
        }
        return cache;
      },
    },
  ],
  exports: [CACHE_BACKEND],
})
export class CacheModule implements OnApplicationShutdown {
  constructor(@Inject(CACHE_BACKEND) private readonly cache: CacheBackend) {}

  async onApplicationShutdown(): Promise<void> {
    await this.cache.close();
  }
}
