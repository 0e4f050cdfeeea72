import { ConfigError, loadConfig } from '@nova/config';
import { redisTopology } from './create-cache';

const cacheOptions = (cache: Record<string, string>) =>
  loadConfig({ files: [], env: {}, overrides: { cache } }).cache;

describe('redisTopology: [cache] backend and oslo.cache options to a Redis deployment', () => {
  it('dogpile.cache.redis is one server', () => {
    expect(redisTopology(cacheOptions({ backend: 'dogpile.cache.redis' }))).toEqual({
      kind: 'server',
      server: { host: 'localhost', port: 6379 },
    });
  });

  it('dogpile.cache.redis_sentinel takes redis_sentinels and the service name (oslo.cache defaults)', () => {
    expect(redisTopology(cacheOptions({ backend: 'dogpile.cache.redis_sentinel' }))).toEqual({
      kind: 'sentinel',
      sentinels: [{ host: 'localhost', port: 26379 }],
      serviceName: 'mymaster',
      sentinelUsername: undefined,
      sentinelPassword: undefined,
    });
    const topology = redisTopology(
      cacheOptions({
        backend: 'dogpile.cache.redis_sentinel',
        redis_sentinels: 's1:26379, s2:26380,s3:26381',
        redis_sentinel_service_name: 'cache',
        redis_sentinel_password: 'pw',
      }),
    );
    expect(topology).toMatchObject({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
        { host: 's3', port: 26381 },
      ],
      serviceName: 'cache',
      sentinelPassword: 'pw',
    });
  });

  it('dogpile.cache.redis_cluster seeds from redis_cluster_nodes, else from redis_server', () => {
    expect(
      redisTopology(
        cacheOptions({
          backend: 'dogpile.cache.redis_cluster',
          redis_cluster_nodes: 'n1:7000,n2:7001',
        }),
      ),
    ).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
    });
    expect(
      redisTopology(
        cacheOptions({ backend: 'dogpile.cache.redis_cluster', redis_server: 'n3:7002' }),
      ),
    ).toEqual({ kind: 'cluster', nodes: [{ host: 'n3', port: 7002 }] });
  });

  it('rejects sentinels that are not host:port, and an empty list', () => {
    expect(() => cacheOptions({ redis_sentinels: 's1:26379,s2' })).toThrow(ConfigError);
    expect(() => cacheOptions({ redis_sentinels: '' })).toThrow(ConfigError);
    expect(() => cacheOptions({ redis_cluster_nodes: 'n1' })).toThrow(ConfigError);
  });
});
