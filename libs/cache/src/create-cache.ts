import type { NovaConfig } from '@nova/config';
import { REDIS_BACKENDS } from '@nova/config';
import type { CacheBackend } from './cache-backend';
import { MemoryCache } from './memory-cache';
import { RedisCache } from './redis-cache';

/** Redis when [cache] is enabled with a Redis backend; otherwise the in-process cache. */
export function createCache(config: NovaConfig): CacheBackend {
  const c = config.cache;
  if (c.enabled && REDIS_BACKENDS.includes(c.backend)) {
    const [host, port] = c.redis_server.split(':');
    return new RedisCache({
      host: host,
      port: Number(port),
      username: c.redis_username,
      password: c.redis_password,
      db: c.redis_db,
      commandTimeoutMs: Math.round(c.redis_socket_timeout * 1000),
      prefix: c.key_prefix,
    });
  }
  return new MemoryCache();
}
