import { randomUUID } from 'node:crypto';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiDatabase } from '@nova/api-db';
import { ConfigModule } from '@nova/config';
import { sqlTimestamp } from '@nova/database';
import {
  PlacementModule,
  PlacementService,
  ResourceProviderNameConflict,
  ResourceProviderNotFound,
} from '@nova/placement';
import { UsageCounter } from '@nova/quota';
import { testConfig } from '../support/config';
import { TestDeployment, type Backend } from '../support/deployment';

const POOL_SIZE = 10;

/**
 * PlacementService against a real API database: inventory upserts, claims and
 * releases, and the claim's atomicity under concurrency (several pooled
 * connections on MariaDB, the shared connection on SQLite).
 */
describe.each<Backend>(['mariadb', 'sqlite'])('placement (%s)', (backend) => {
  let d: TestDeployment;
  let app: INestApplicationContext;
  let placement: PlacementService;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend, cells: [] });
    const sections = {
      ...d.sections,
      api_database: { ...d.sections['api_database'], max_pool_size: String(POOL_SIZE) },
    };
    @Module({ imports: [ConfigModule.forRoot(testConfig(sections)), PlacementModule] })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    placement = app.get(PlacementService);
  });

  afterAll(async () => {
    await app.close();
    await d.cleanup();
  });

  /** A provider with the given inventory; returns its uuid. */
  const provider = async (
    inventory: Parameters<PlacementService['setInventory']>[1] = {
      VCPU: { total: 8, allocation_ratio: 1 },
      MEMORY_MB: { total: 8192 },
      DISK_GB: { total: 100 },
    },
  ): Promise<string> => {
    const uuid = randomUUID();
    await placement.ensureProvider(uuid, `node-${uuid.slice(0, 8)}`);
    await placement.setInventory(uuid, inventory);
    return uuid;
  };
  const claim = (consumer: string, rp: string, amounts: Record<string, number>) =>
    placement.claim(consumer, 'project', 'user', rp, amounts);
  const summary = async (rp: string) => (await placement.providerSummaries([rp]))[0];

  describe('providers and inventory', () => {
    it('creates a provider once and renames it in place', async () => {
      const uuid = randomUUID();
      const first = await placement.ensureProvider(uuid, 'compute-a');
      const again = await placement.ensureProvider(uuid, 'compute-a');
      expect(again).toEqual(first);
      const renamed = await placement.ensureProvider(uuid, 'compute-a2');
      expect(renamed).toMatchObject({ id: first.id, name: 'compute-a2' });
      expect((await summary(uuid))?.name).toBe('compute-a2');
    });

    it('refuses a name another provider has', async () => {
      await placement.ensureProvider(randomUUID(), 'taken-name');
      await expect(placement.ensureProvider(randomUUID(), 'taken-name')).rejects.toThrow(
        ResourceProviderNameConflict,
      );
    });

    it('upserts inventory, creating resource classes, and bumps the generation on change only', async () => {
      const uuid = randomUUID();
      await placement.ensureProvider(uuid, `inv-${uuid}`);
      expect((await summary(uuid))?.resources).toEqual({});
      const g1 = await placement.setInventory(uuid, {
        VCPU: { total: 4, reserved: 1, allocation_ratio: 16, max_unit: 4 },
        MEMORY_MB: { total: 4096, reserved: 512, allocation_ratio: 1.5 },
        CUSTOM_FPGA: { total: 2 },
      });
      expect(g1).toBe(1);
      expect(await summary(uuid)).toEqual({
        uuid,
        name: `inv-${uuid}`,
        generation: 1,
        resources: {
          CUSTOM_FPGA: {
            total: 2,
            reserved: 0,
            allocationRatio: 1,
            minUnit: 1,
            maxUnit: 2,
            stepSize: 1,
            capacity: 2,
            used: 0,
          },
          MEMORY_MB: {
            total: 4096,
            reserved: 512,
            allocationRatio: 1.5,
            minUnit: 1,
            maxUnit: 4096,
            stepSize: 1,
            capacity: 5376,
            used: 0,
          },
          VCPU: {
            total: 4,
            reserved: 1,
            allocationRatio: 16,
            minUnit: 1,
            maxUnit: 4,
            stepSize: 1,
            capacity: 48,
            used: 0,
          },
        },
      });
      // The same report again (a periodic update) changes nothing.
      expect(
        await placement.setInventory(uuid, {
          VCPU: { total: 4, reserved: 1, allocation_ratio: 16, max_unit: 4 },
        }),
      ).toBe(1);
      // A ratio MySQL stores in single precision still compares equal.
      const g2 = await placement.setInventory(uuid, {
        DISK_GB: { total: 10, allocation_ratio: 0.9 },
      });
      expect(g2).toBe(2);
      expect(
        await placement.setInventory(uuid, { DISK_GB: { total: 10, allocation_ratio: 0.9 } }),
      ).toBe(2);
      expect((await summary(uuid))?.resources['DISK_GB']).toMatchObject({
        allocationRatio: 0.9,
        capacity: 9,
      });
      // A change updates the row in place.
      expect(await placement.setInventory(uuid, { VCPU: { total: 8, allocation_ratio: 4 } })).toBe(
        3,
      );
      expect((await summary(uuid))?.resources['VCPU']).toMatchObject({
        total: 8,
        reserved: 0,
        capacity: 32,
      });
      const ds = await app.get(ApiDatabase).get();
      const count = await ds.query<Array<{ n: number | string }>>(
        'SELECT COUNT(*) AS n FROM inventories i JOIN resource_providers p ON p.id = i.resource_provider_id WHERE p.uuid = ?',
        [uuid],
      );
      expect(Number(count[0]?.n)).toBe(4);
    });

    it('fails on an unknown provider', async () => {
      await expect(placement.setInventory(randomUUID(), { VCPU: { total: 1 } })).rejects.toThrow(
        ResourceProviderNotFound,
      );
      await expect(placement.usages(randomUUID())).rejects.toThrow(ResourceProviderNotFound);
    });

    it('summarizes every provider with its usage in one call', async () => {
      const a = await provider();
      const b = await provider({ VCPU: { total: 2 } });
      expect(await claim(randomUUID(), a, { VCPU: 3, MEMORY_MB: 1024 })).toBe(true);
      const all = await placement.providerSummaries();
      const byUuid = new Map(all.map((s) => [s.uuid, s]));
      expect(byUuid.get(a)?.resources['VCPU']?.used).toBe(3);
      expect(byUuid.get(a)?.resources['MEMORY_MB']?.used).toBe(1024);
      expect(byUuid.get(a)?.resources['DISK_GB']?.used).toBe(0);
      expect(Object.keys(byUuid.get(b)?.resources ?? {})).toEqual(['VCPU']);
      expect(await placement.providerSummaries([])).toEqual([]);
    });
  });

  describe('claims', () => {
    it('claims and releases', async () => {
      const rp = await provider();
      const consumer = randomUUID();
      expect(await claim(consumer, rp, { VCPU: 2, MEMORY_MB: 2048, DISK_GB: 20 })).toBe(true);
      expect(await placement.usages(rp)).toEqual({ DISK_GB: 20, MEMORY_MB: 2048, VCPU: 2 });
      expect(await placement.allocationsOf(consumer)).toEqual([
        { providerUuid: rp, resources: { DISK_GB: 20, MEMORY_MB: 2048, VCPU: 2 } },
      ]);
      const generation = (await summary(rp))?.generation ?? 0;
      expect(await placement.release(consumer)).toBe(true);
      expect(await placement.usages(rp)).toEqual({});
      expect(await placement.allocationsOf(consumer)).toEqual([]);
      expect((await summary(rp))?.generation).toBe(generation + 1);
      // Idempotent.
      expect(await placement.release(consumer)).toBe(false);
      expect(await placement.release(randomUUID())).toBe(false);
    });

    it('refuses a claim over capacity, writing nothing', async () => {
      const rp = await provider({
        VCPU: { total: 4, reserved: 1, allocation_ratio: 2 }, // capacity 6
        MEMORY_MB: { total: 4096, reserved: 1024 }, // capacity 3072
      });
      expect(await claim(randomUUID(), rp, { VCPU: 4, MEMORY_MB: 1024 })).toBe(true);
      const full = randomUUID();
      // VCPU would fit (4 + 2 <= 6), MEMORY_MB would not (1024 + 2049 > 3072): nothing at all.
      expect(await claim(full, rp, { VCPU: 2, MEMORY_MB: 2049 })).toBe(false);
      expect(await placement.allocationsOf(full)).toEqual([]);
      expect(await claim(randomUUID(), rp, { VCPU: 3, MEMORY_MB: 1 })).toBe(false);
      expect(await claim(randomUUID(), rp, { VCPU: 2, MEMORY_MB: 2048 })).toBe(true); // exactly full
      expect(await placement.usages(rp)).toEqual({ MEMORY_MB: 3072, VCPU: 6 });
    });

    it('refuses more than max_unit (and min_unit, step_size) even with capacity to spare', async () => {
      const rp = await provider({
        VCPU: { total: 4, allocation_ratio: 16, max_unit: 4 },
        DISK_GB: { total: 100, min_unit: 10, step_size: 5 },
      });
      expect(await claim(randomUUID(), rp, { VCPU: 5 })).toBe(false);
      expect(await claim(randomUUID(), rp, { VCPU: 4 })).toBe(true);
      expect(await claim(randomUUID(), rp, { DISK_GB: 5 })).toBe(false);
      expect(await claim(randomUUID(), rp, { DISK_GB: 12 })).toBe(false);
      expect(await claim(randomUUID(), rp, { DISK_GB: 15 })).toBe(true);
    });

    it('refuses classes the provider has no inventory of, and unknown providers', async () => {
      const rp = await provider({ VCPU: { total: 4 } });
      expect(await claim(randomUUID(), rp, { VCPU: 1, MEMORY_MB: 1 })).toBe(false);
      expect(await claim(randomUUID(), randomUUID(), { VCPU: 1 })).toBe(false);
    });

    it('replaces the allocation when the same consumer claims again', async () => {
      const rp = await provider({ VCPU: { total: 10 }, MEMORY_MB: { total: 1000 } });
      const consumer = randomUUID();
      expect(await claim(consumer, rp, { VCPU: 8, MEMORY_MB: 500 })).toBe(true);
      // 8 + 10 > 10, but the consumer's own 8 are replaced, not added to.
      expect(await claim(consumer, rp, { VCPU: 10 })).toBe(true);
      expect(await placement.usages(rp)).toEqual({ VCPU: 10 });
      expect(await placement.allocationsOf(consumer)).toEqual([
        { providerUuid: rp, resources: { VCPU: 10 } },
      ]);
      // A failed re-claim keeps the old allocation.
      expect(await claim(consumer, rp, { VCPU: 11 })).toBe(false);
      expect(await placement.usages(rp)).toEqual({ VCPU: 10 });
    });

    it('moves the allocation when the consumer claims on another provider (reschedule)', async () => {
      const [a, b] = [await provider(), await provider()];
      const consumer = randomUUID();
      expect(await claim(consumer, a, { VCPU: 2, MEMORY_MB: 512 })).toBe(true);
      const generationA = (await summary(a))?.generation ?? 0;
      expect(await claim(consumer, b, { VCPU: 2, MEMORY_MB: 512 })).toBe(true);
      expect(await placement.usages(a)).toEqual({});
      expect(await placement.usages(b)).toEqual({ MEMORY_MB: 512, VCPU: 2 });
      expect((await summary(a))?.generation).toBe(generationA + 1);
      expect(await placement.allocationsOf(consumer)).toEqual([
        { providerUuid: b, resources: { MEMORY_MB: 512, VCPU: 2 } },
      ]);
    });

    it('refuses malformed amounts', async () => {
      const rp = await provider();
      await expect(claim(randomUUID(), rp, { VCPU: -1 })).rejects.toThrow('Invalid amount');
      await expect(claim(randomUUID(), rp, { VCPU: 0 })).rejects.toThrow('above zero');
    });
  });

  describe('moving allocations between consumers', () => {
    it("hands a consumer's allocations to another, replacing what that one held", async () => {
      const source = await provider();
      const dest = await provider();
      const instance = randomUUID();
      const migration = randomUUID();
      expect(await claim(instance, source, { VCPU: 1, MEMORY_MB: 512 })).toBe(true);
      const generation = (await summary(source))?.generation ?? 0;
      // A move starts: the migration holds the source, the instance then claims the destination.
      expect(await placement.moveAllocations(instance, migration, 'project', 'user')).toBe(true);
      expect(await placement.allocationsOf(instance)).toEqual([]);
      expect(await placement.allocationsOf(migration)).toEqual([
        { providerUuid: source, resources: { MEMORY_MB: 512, VCPU: 1 } },
      ]);
      expect((await summary(source))?.generation).toBe(generation + 1);
      expect(await placement.usages(source)).toEqual({ MEMORY_MB: 512, VCPU: 1 });
      expect(await claim(instance, dest, { VCPU: 2, MEMORY_MB: 1024 })).toBe(true);
      // A revert: the source's allocation is the instance's again, the destination's is gone.
      expect(await placement.moveAllocations(migration, instance, 'project', 'user')).toBe(true);
      expect(await placement.allocationsOf(instance)).toEqual([
        { providerUuid: source, resources: { MEMORY_MB: 512, VCPU: 1 } },
      ]);
      expect(await placement.usages(dest)).toEqual({});
      expect(await placement.allocationsOf(migration)).toEqual([]);
      // Nothing to move: nothing written, the target keeps what it has.
      expect(await placement.moveAllocations(migration, instance, 'project', 'user')).toBe(false);
      expect(await placement.usages(source)).toEqual({ MEMORY_MB: 512, VCPU: 1 });
    });
  });

  describe('claims against the provider as last seen', () => {
    /** Another process's placement: the same database, its own memory of providers. */
    const elsewhere = () => new PlacementService(app.get(ApiDatabase));
    /** How many times `fn` read a provider for a claim (the claim's view). */
    const viewReads = async (fn: () => Promise<unknown>): Promise<number> => {
      const ds = await app.get(ApiDatabase).get();
      const query = jest.spyOn(ds, 'query');
      try {
        await fn();
        return query.mock.calls.filter(([sql]) => String(sql).includes('consumer_generation'))
          .length;
      } finally {
        query.mockRestore();
      }
    };

    it("writes a new consumer's claim without reading a provider it summarized or claimed on", async () => {
      const rp = await provider({ VCPU: { total: 4, allocation_ratio: 1 } });
      await summary(rp);
      expect(await viewReads(() => claim(randomUUID(), rp, { VCPU: 1 }))).toBe(0);
      // Its own claim left the provider known at the next generation, with the usage added.
      expect(await viewReads(() => claim(randomUUID(), rp, { VCPU: 1 }))).toBe(0);
      expect(await placement.usages(rp)).toEqual({ VCPU: 2 });
      expect((await summary(rp))?.generation).toBe(3); // inventory, then two claims
    });

    it('reads again when another process claimed since, and never overcommits', async () => {
      const rp = await provider({ VCPU: { total: 2, allocation_ratio: 1 } });
      await summary(rp); // known here with nothing used
      expect(await elsewhere().claim(randomUUID(), 'project', 'user', rp, { VCPU: 2 })).toBe(true);
      // The memory says it fits; the generation says it changed: read, and refuse.
      let refused: boolean | undefined;
      expect(
        await viewReads(async () => (refused = await claim(randomUUID(), rp, { VCPU: 1 }))),
      ).toBe(1);
      expect(refused).toBe(false);
      expect(await placement.usages(rp)).toEqual({ VCPU: 2 });
    });

    it('reads again when the provider looks full but another process released', async () => {
      const rp = await provider({ VCPU: { total: 2, allocation_ratio: 1 } });
      const first = randomUUID();
      expect(await claim(first, rp, { VCPU: 2 })).toBe(true); // known here as full
      expect(await elsewhere().release(first)).toBe(true);
      const second = randomUUID();
      expect(await claim(second, rp, { VCPU: 2 })).toBe(true);
      expect(await placement.allocationsOf(second)).toEqual([
        { providerUuid: rp, resources: { VCPU: 2 } },
      ]);
    });

    it('falls back to reading when the consumer already holds an allocation', async () => {
      const [a, b] = [await provider(), await provider()];
      const consumer = randomUUID();
      expect(await claim(consumer, a, { VCPU: 1 })).toBe(true);
      await summary(b); // b known: a new consumer's claim would not read it
      expect(await claim(consumer, b, { VCPU: 3 })).toBe(true);
      expect(await placement.allocationsOf(consumer)).toEqual([
        { providerUuid: b, resources: { VCPU: 3 } },
      ]);
      expect(await placement.usages(a)).toEqual({});
    });
  });

  describe('concurrency', () => {
    it('lets exactly 10 of 50 concurrent 1-VCPU claims into a capacity of 10', async () => {
      const rp = await provider({ VCPU: { total: 10, allocation_ratio: 1 } });
      const consumers = Array.from({ length: 50 }, () => randomUUID());
      const results = await Promise.all(consumers.map((c) => claim(c, rp, { VCPU: 1 })));
      expect(results.filter(Boolean)).toHaveLength(10);
      expect(await placement.usages(rp)).toEqual({ VCPU: 10 });
      // The winners hold exactly their claim; the losers hold nothing.
      const held = await Promise.all(consumers.map((c) => placement.allocationsOf(c)));
      held.forEach((allocations, i) =>
        expect(allocations).toEqual(
          results[i] ? [{ providerUuid: rp, resources: { VCPU: 1 } }] : [],
        ),
      );
    });

    it('never overcommits under mixed concurrent claims, re-claims and releases', async () => {
      const rp = await provider({ VCPU: { total: 8, allocation_ratio: 2 } }); // capacity 16
      const consumers = Array.from({ length: 12 }, () => randomUUID());
      const work = consumers.flatMap((c, i) => [
        claim(c, rp, { VCPU: (i % 3) + 1 }),
        claim(c, rp, { VCPU: ((i + 1) % 3) + 1 }),
        i % 4 === 0 ? placement.release(c) : Promise.resolve(false),
      ]);
      await Promise.all(work);
      const used = (await placement.usages(rp))['VCPU'] ?? 0;
      expect(used).toBeLessThanOrEqual(16);
      // Usage is the sum of what each consumer holds: no orphaned or doubled rows.
      const perConsumer = await Promise.all(consumers.map((c) => placement.allocationsOf(c)));
      const sum = perConsumer.flat().reduce((n, a) => n + (a.resources['VCPU'] ?? 0), 0);
      expect(sum).toBe(used);
      expect(perConsumer.every((a) => a.length <= 1)).toBe(true);
    });

    it('writes concurrent first claims on different providers together, each exactly once', async () => {
      const rps = await Promise.all(Array.from({ length: 24 }, () => provider()));
      const before = await placement.providerSummaries(rps);
      const consumers = rps.map(() => randomUUID());
      const ds = await app.get(ApiDatabase).get();
      const transactions = jest.spyOn(ds, 'transaction');
      try {
        const results = await Promise.all(rps.map((rp, i) => claim(consumers[i], rp, { VCPU: 2 })));
        expect(results).toEqual(rps.map(() => true));
        // Group commit: fewer transactions than claims (the first goes alone, the rest share).
        expect(transactions.mock.calls.length).toBeLessThan(rps.length);
      } finally {
        transactions.mockRestore();
      }
      const held = await Promise.all(consumers.map((c) => placement.allocationsOf(c)));
      expect(held).toEqual(rps.map((rp) => [{ providerUuid: rp, resources: { VCPU: 2 } }]));
      const after = await placement.providerSummaries(rps);
      after.forEach((s, i) => expect(s?.generation).toBe((before[i]?.generation ?? 0) + 1));
    });

    it('lands every first claim when providers change under a shared transaction', async () => {
      const rps = await Promise.all(Array.from({ length: 16 }, () => provider()));
      const consumers = rps.map(() => randomUUID());
      // Inventory changes bump some providers' generations between a claim's read and its
      // commit: that batch rolls back and its claims are written alone, the stale ones read again.
      const [results] = await Promise.all([
        Promise.all(rps.map((rp, i) => claim(consumers[i], rp, { VCPU: 2 }))),
        Promise.all(
          rps
            .filter((_, i) => i % 3 === 0)
            .map((rp) => placement.setInventory(rp, { VCPU: { total: 6, allocation_ratio: 1 } })),
        ),
      ]);
      expect(results).toEqual(rps.map(() => true));
      for (const [i, rp] of rps.entries()) {
        expect(await placement.usages(rp)).toEqual({ VCPU: 2 });
        expect(await placement.allocationsOf(consumers[i])).toEqual([
          { providerUuid: rp, resources: { VCPU: 2 } },
        ]);
      }
    });

    it('keeps claims within capacity while the inventory shrinks concurrently', async () => {
      const rp = await provider({ VCPU: { total: 20 } });
      const claims = Array.from({ length: 30 }, () => claim(randomUUID(), rp, { VCPU: 1 }));
      const shrink = placement.setInventory(rp, { VCPU: { total: 5 } });
      const results = await Promise.all(claims);
      await shrink;
      const used = (await placement.usages(rp))['VCPU'] ?? 0;
      expect(used).toBe(results.filter(Boolean).length);
      expect(used).toBeLessThanOrEqual(20);
      // Claims that ran after the shrink saw the new capacity: no more than 5 of them got in.
      expect(await claim(randomUUID(), rp, { VCPU: 1 })).toBe(used < 5);
    });
  });

  it("counts a project's instances, cores and ram for a create: allocations plus unclaimed builds", async () => {
    const ds = await app.get(ApiDatabase).get();
    const rp = await provider();
    const claimed = randomUUID();
    const waiting = randomUUID();
    expect(
      await placement.claim(claimed, 'usage-p', 'usage-u', rp, { VCPU: 2, MEMORY_MB: 512 }),
    ).toBe(true);
    const build = (uuid: string, vcpus: number, ram: number) =>
      ds.query(
        'INSERT INTO build_requests (project_id, user_id, instance_uuid, instance, tags, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [
          'usage-p',
          'usage-u',
          uuid,
          JSON.stringify({ flavor: { vcpus, memory_mb: ram } }),
          '[]',
          sqlTimestamp(ds),
        ],
      );
    // A claimed build still listed as a request counts once (by its allocations).
    await build(claimed, 2, 512);
    await build(waiting, 1, 64);
    for (const uuid of [claimed, waiting]) {
      await ds.query(
        'INSERT INTO instance_mappings (instance_uuid, project_id, user_id, queued_for_delete, created_at) VALUES (?, ?, ?, 0, ?)',
        [uuid, 'usage-p', 'usage-u', sqlTimestamp(ds)],
      );
    }
    const usage = new UsageCounter(app.get(ApiDatabase));
    expect(await usage.instanceUsage('usage-p')).toEqual({ instances: 2, cores: 3, ram: 576 });
    expect(await usage.instanceUsage('usage-p', 'usage-u')).toEqual({
      instances: 2,
      cores: 3,
      ram: 576,
    });
    expect(await usage.instanceUsage('usage-p', 'someone-else')).toEqual({
      instances: 0,
      cores: 0,
      ram: 0,
    });
  });
});
