import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { createCache, RedisCache } from '@nova/cache';
import { CellRouter } from '@nova/cell-router';
import { adminContext, sleep } from '@nova/common';
import { ApiClient } from '../support/api-client';
import { testConfig } from '../support/config';
import { TestDeployment } from '../support/deployment';
import { uniqueId } from '../support/env';
import { RedisClusterSet, SentinelSet } from '../support/redis-ha';
import { until } from '../support/waiting';
import { seedInstances } from '../support/seed';

/** A cache built the way the services build theirs: createCache over [cache] options. */
async function cacheFor(options: Record<string, string>): Promise<RedisCache> {
  const cache = createCache(
    testConfig({ cache: { enabled: 'true', redis_socket_timeout: '0.5', ...options } }),
  );
  expect(cache).toBeInstanceOf(RedisCache);
  const redis = cache as RedisCache;
  expect(await redis.waitReady(10_000)).toBe(true);
  return redis;
}

/** Collects what arrives on a channel. */
async function listen(cache: RedisCache, channel: string): Promise<string[]> {
  const received: string[] = [];
  await cache.subscribe(channel, (m) => received.push(m));
  return received;
}

/** Publishes until `received` holds it: SUBSCRIBE is asynchronous (and replayed after failover). */
async function deliver(from: RedisCache, channel: string, received: string[], message: string) {
  await until(`"${message}" delivered on ${channel}`, async () => {
    await from.publish(channel, message);
    await sleep(50);
    return received.includes(message);
  });
}

describe('cache on Redis Sentinel: a master, its replica and a sentinel', () => {
  const prefix = uniqueId('ha');
  const sentinelPassword = 'sentinel-secret';
  let set: SentinelSet;
  let cache: RedisCache;
  let deployment: TestDeployment;
  let app: INestApplicationContext;
  let router: CellRouter;
  let api: ApiClient;
  let sentinelSection: Record<string, string>;

  beforeAll(async () => {
    set = await SentinelSet.start(sentinelPassword);
    sentinelSection = {
      enabled: 'true',
      backend: 'dogpile.cache.redis_sentinel',
      // The first sentinel listed is not there: the client moves on to the next one.
      redis_sentinels: `127.0.0.1:1, 127.0.0.1:${set.sentinel.port}`,
      redis_sentinel_service_name: SentinelSet.service,
      redis_sentinel_password: sentinelPassword,
      redis_socket_timeout: '0.5',
      key_prefix: prefix,
    };
    cache = await cacheFor(sentinelSection);
    deployment = await TestDeployment.create({
      backend: 'sqlite',
      cells: ['cell1'],
      extra: { cache: sentinelSection },
    });
    app = await deployment.app();
    router = app.get(CellRouter);
    api = await ApiClient.start(deployment.sections);
  });

  afterAll(async () => {
    try {
      await api?.close();
      await cache?.close();
      await deployment?.cleanup();
    } finally {
      await set?.stop();
    }
  });

  it('reads and writes the master the sentinel names, and publishes through it', async () => {
    await cache.set('k1', 'v1', 60);
    expect(await cache.get('k1')).toBe('v1');
    const master = set.master.client();
    try {
      expect(await master.get(`${prefix}:k1`)).toBe('v1');
      expect(await master.pttl(`${prefix}:k1`)).toBeGreaterThan(0);
    } finally {
      master.disconnect();
    }
    await cache.del('k1');
    expect(await cache.get('k1')).toBeNull();

    const other = await cacheFor(sentinelSection);
    try {
      const received = await listen(other, 'cells');
      await deliver(cache, 'cells', received, 'hello');
    } finally {
      await other.close();
    }
  });

  it('refuses sentinels whose password it does not know', async () => {
    const cache = createCache(
      testConfig({
        cache: { ...sentinelSection, redis_sentinel_password: 'wrong' },
      }),
    ) as RedisCache;
    try {
      expect(await cache.waitReady(1500)).toBe(false);
      await expect(cache.get('k1')).rejects.toThrow();
    } finally {
      await cache.close();
    }
  });

  it('fails over: lookups answer throughout, then writes and pub/sub work on the promoted replica', async () => {
    const cell1 = (await router.cells()).find((c) => c.name === 'cell1');
    const uuids = await seedInstances(router.targetCell(adminContext(), cell1!), 2);
    for (const uuid of uuids) {
      await router.mappings.create({
        instanceUuid: uuid,
        cell: cell1!,
        projectId: 'p1',
        userId: 'u1',
      });
    }
    const received = await listen(cache, 'cells');
    let reconnects = 0;
    cache.onReconnect(() => reconnects++);
    expect(await set.masterPort()).toBe(set.master.port);

    await set.master.kill();
    // Every lookup during the outage and the promotion is answered (from the database
    // while Redis is away), none hangs or fails.
    let lookups = 0;
    const errorsBefore = router.mappings.stats.cacheErrors;
    await until('the sentinel promotes the replica', async () => {
      for (const uuid of uuids) {
        expect((await router.lookupInstance(uuid))?.cell?.name).toBe('cell1');
        lookups++;
      }
      expect(await router.lookupInstance(randomUUID())).toBeNull();
      const shown = await api.get(`/v2.1/servers/${uuids[1]}`);
      expect(shown.status).toBe(200);
      expect(shown.body.server.id).toBe(uuids[1]);
      return (await set.masterPort()) === set.replica.port;
    });
    expect(lookups).toBeGreaterThan(2);
    expect(router.mappings.stats.cacheErrors).toBeGreaterThan(errorsBefore);

    // The cache reconnects to the new master on its own: writes land there.
    await until('writes reach the new master', async () => {
      await cache.set('after', 'failover', 60);
      return (await cache.get('after')) === 'failover';
    });
    const promoted = set.replica.client();
    try {
      expect(await promoted.get(`${prefix}:after`)).toBe('failover');
    } finally {
      promoted.disconnect();
    }
    expect(reconnects).toBeGreaterThan(0); // the cell list is re-read after an outage
    // The subscription was replayed on the new master.
    await deliver(cache, 'cells', received, 'after-failover');

    // And the router uses the cache again: a lookup fills it, the next one hits.
    const hits = router.mappings.stats.cacheHits;
    await until('mapping lookups hit the cache again', async () => {
      await router.lookupInstance(uuids[0]);
      return router.mappings.stats.cacheHits > hits;
    });
  });

  it('follows a planned switchover: no writes go to the demoted master, which stays up', async () => {
    await set.rejoin(set.master); // the crashed master, back as a replica
    const received = await listen(cache, 'switch');
    await set.failover();
    await until('the sentinel names the old master again', async () => {
      return (await set.masterPort()) === set.master.port;
    });
    const master = set.master.client();
    try {
      await until('writes reach the master once more', async () => {
        await cache.set('switched', 'yes', 60);
        return (await master.get(`${prefix}:switched`)) === 'yes';
      });
      // From now on every write lands there, none on the demoted one.
      for (let i = 0; i < 20; i++) {
        await cache.set(`after-${i}`, String(i), 60);
        expect(await master.get(`${prefix}:after-${i}`)).toBe(String(i));
        expect(await cache.get(`after-${i}`)).toBe(String(i));
      }
      expect(await master.call('ROLE')).toContain('master');
    } finally {
      master.disconnect();
    }
    await deliver(cache, 'switch', received, 'after-switchover');
  });
});

describe('cache on a three-node Redis Cluster', () => {
  const prefix = uniqueId('rc');
  let cluster: RedisClusterSet;
  let cache: RedisCache;
  let other: RedisCache;

  beforeAll(async () => {
    cluster = await RedisClusterSet.start();
    const [first, , third] = cluster.nodes;
    // One seed node each: the client discovers the others.
    cache = await cacheFor({
      backend: 'dogpile.cache.redis_cluster',
      redis_cluster_nodes: `127.0.0.1:${first.port}`,
      key_prefix: prefix,
    });
    other = await cacheFor({
      backend: 'dogpile.cache.redis_cluster',
      redis_server: `127.0.0.1:${third.port}`,
      key_prefix: prefix,
    });
  });

  afterAll(async () => {
    try {
      await cache?.close();
      await other?.close();
    } finally {
      await cluster?.stop();
    }
  });

  it('sets, gets and deletes keys spread over every node (one del for keys in many slots)', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `imap:${i}-${randomUUID()}`);
    for (const key of keys) {
      await cache.set(key, `value-${key}`, 60);
    }
    const owners = new Set<number>();
    for (const key of keys) {
      expect(await other.get(key)).toBe(`value-${key}`);
      const node = await cluster.nodeOf(`${prefix}:${key}`);
      owners.add(node.port);
      const direct = node.client();
      try {
        expect(await direct.get(`${prefix}:${key}`)).toBe(`value-${key}`);
      } finally {
        direct.disconnect();
      }
    }
    expect(owners.size).toBe(3);
    await cache.del(...keys);
    for (const key of keys) {
      expect(await other.get(key)).toBeNull();
    }
  });

  it('delivers messages published on any node to subscribers of the prefixed channel', async () => {
    const received = await listen(other, 'cells');
    await deliver(cache, 'cells', received, 'from-cache');
    for (const node of cluster.nodes) {
      const direct = node.client();
      try {
        await until(`publish on ${node.port} delivered`, async () => {
          await direct.publish(`${prefix}:cells`, `via-${node.port}`);
          await sleep(50);
          return received.includes(`via-${node.port}`);
        });
      } finally {
        direct.disconnect();
      }
    }
    // Another prefix is another deployment: its messages do not arrive here.
    const direct = cluster.nodes[0].client();
    try {
      await direct.publish(`not-${prefix}:cells`, 'foreign');
    } finally {
      direct.disconnect();
    }
    await deliver(cache, 'cells', received, 'last');
    expect(received).not.toContain('foreign');
  });

  it('with the whole cluster down, commands fail (a miss) instead of waiting', async () => {
    await cluster.stop();
    await expect(cache.get('anything')).rejects.toThrow();
    await expect(cache.set('anything', 'x', 60)).rejects.toThrow();
  });
});
