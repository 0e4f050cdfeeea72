import type { NovaConfig } from '@nova/config';
import { REDIS_BACKENDS } from '@nova/config';
import type { CacheBackend } from './cache-backend';
import { MemoryCache } from './memory-cache';
import { RedisCache } from './redis-cache';
import { parseHostPort, type RedisTopology } from './redis-topology';

type CacheOptions = NovaConfig['cache'];

/** The Redis deployment [cache] backend names, with oslo.cache's options for each. */
export function redisTopology(c: CacheOptions): RedisTopology {
  switch (c.backend) {
    case 'dogpile.cache.redis_sentinel':
      return {
        kind: 'sentinel',
        sentinels: c.redis_sentinels.map(parseHostPort),
        serviceName: c.redis_sentinel_service_name,
        sentinelUsername: c.redis_sentinel_username,
        sentinelPassword: c.redis_sentinel_password,
      };
    case 'dogpile.cache.redis_cluster': {
      const seeds = c.redis_cluster_nodes.length > 0 ? c.redis_cluster_nodes : [c.redis_server];
      return { kind: 'cluster', nodes: seeds.map(parseHostPort) };
    }
    default:
      return { kind: 'server', server: parseHostPort(c.redis_server) };
  }
}

/** Redis when [cache] is enabled with a Redis backend; otherwise the in-process cache. */
export function createCache(config: NovaConfig): CacheBackend {
  const c = config.cache;
  if (c.enabled && REDIS_BACKENDS.includes(c.backend)) {
    return new RedisCache({
      topology: redisTopology(c),
      username: c.redis_username,
      password: c.redis_password,
      db: c.redis_db,
      commandTimeoutMs: Math.round(c.redis_socket_timeout * 1000),
      prefix: c.key_prefix,
    });
  }
  return new MemoryCache();
}
