import { randomUUID } from 'node:crypto';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AGGREGATES_CHANGED_CHANNEL, AggregateRepository } from '@nova/aggregates';
import { ApiDatabase } from '@nova/api-db';
import { CACHE_BACKEND, CacheModule, type CacheBackend } from '@nova/cache';
import { CellRouter, type Cell } from '@nova/cell-router';
import { CellConductor, ConductorModule } from '@nova/cells/conductor';
import { HostInventory, HostsModule } from '@nova/cells/hosts';
import {
  HostStateCache,
  SchedulerModule,
  SchedulerRunner,
  SchedulerService,
} from '@nova/cells/scheduler';
import { adminContext } from '@nova/common';
import {
  HOST_REPORTS_CHANNEL,
  NoValidHost,
  parseHostReport,
  SchedulerClient,
  type ComputeNodeReport,
  type WireRequestSpec,
} from '@nova/compute-rpc';
import { ConfigModule, type NovaConfig } from '@nova/config';
import { PlacementService } from '@nova/placement';
import { openTransport, type RpcTransport } from '@nova/rpc';
import { BuildRequests } from '@nova/servers';
import { redisCache, testConfig } from '../support/config';
import { TestDeployment } from '../support/deployment';

const GIB = 1024;

/**
 * The scheduler's host-state cache on MariaDB: fed by compute reports through
 * the real cell conductor, it must never serve a host as it was before a report,
 * a claim or a new cell. Each case is built so that a stale cache still places
 * the instance, only on the wrong host (or with a host placement refused), so
 * the scheduler's read-all fallback on NoValidHost cannot hide it.
 */
describe('scheduler host-state cache (mariadb)', () => {
  let d: TestDeployment;
  let app: INestApplicationContext;
  let config: NovaConfig;
  let router: CellRouter;
  let placement: PlacementService;
  let cache: HostStateCache;
  let scheduler: SchedulerService;
  const conductors = new Map<string, CellConductor>();

  beforeAll(async () => {
    // Inventory as reported, nothing reserved or overcommitted: capacities are plain sums.
    const exact = {
      reserved_host_memory_mb: '0',
      reserved_host_disk_mb: '0',
      cpu_allocation_ratio: '1.0',
      ram_allocation_ratio: '1.0',
      disk_allocation_ratio: '1.0',
    };
    // Only free RAM weighs, and host_subset_size is 1 (the default): the host with the
    // most free RAM always wins, so a stale picture shows as the wrong host.
    const ramOnly = { cpu_weight_multiplier: '0', disk_weight_multiplier: '0' };
    d = await TestDeployment.create({
      backend: 'mariadb',
      cells: ['cell1'],
      extra: { DEFAULT: exact, filter_scheduler: ramOnly },
    });
    config = testConfig(d.sections);
    @Module({
      imports: [
        ConfigModule.forRoot(config),
        CacheModule,
        SchedulerModule,
        ConductorModule,
        HostsModule,
      ],
    })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    router = app.get(CellRouter);
    placement = app.get(PlacementService);
    cache = new HostStateCache(router, placement, {
      serviceDownTime: config.DEFAULT.service_down_time,
      defaultZone: config.DEFAULT.default_availability_zone,
      timeoutMs: 5000,
      loadAggregates: () => app.get(AggregateRepository).list(),
    });
    const backend = app.get<CacheBackend>(CACHE_BACKEND);
    await backend.subscribe(HOST_REPORTS_CHANNEL, (raw) =>
      cache.hostReported(parseHostReport(raw)!),
    );
    await backend.subscribe(AGGREGATES_CHANGED_CHANNEL, () => cache.aggregatesChanged());
    scheduler = new SchedulerService(
      config,
      router,
      placement,
      app.get(AggregateRepository),
      app.get(ApiDatabase),
      cache,
    );
  });

  afterAll(async () => {
    await Promise.all([...conductors.values()].map((c) => c.stop()));
    await app?.close();
    await d?.cleanup();
  });

  async function cellNamed(name: string): Promise<Cell> {
    await router.registry.refresh();
    const cell = (await router.cells()).find((c) => c.name === name);
    if (!cell) {
      throw new Error(`no cell ${name}`);
    }
    return cell;
  }

  /**
   * The cell's conductor, publishing host reports on the app's in-process cache
   * backend, which hands them to the cache under test at once (as Redis does, later).
   */
  async function conductorOf(cellName: string): Promise<CellConductor> {
    let conductor = conductors.get(cellName);
    if (!conductor) {
      conductor = new CellConductor(
        config,
        router,
        router.mappings,
        placement,
        app.get(BuildRequests),
        app.get<CacheBackend>(CACHE_BACKEND),
      );
      await conductor.start(null, await cellNamed(cellName));
      conductors.set(cellName, conductor);
    }
    return conductor;
  }

  /** A compute's periodic report (heartbeat, then node and inventory), as nova-compute sends it. */
  async function report(cellName: string, host: string, memoryGb: number): Promise<void> {
    const methods = (await conductorOf(cellName)).methods();
    await methods.service_report(adminContext(), { host, binary: 'nova-compute' });
    await methods.compute_node_report(adminContext(), { node: nodeReport(host, memoryGb) });
  }

  function spec(memoryGb = 1, extra: Partial<WireRequestSpec> = {}): WireRequestSpec {
    return {
      instance_uuids: [randomUUID()],
      project_id: 'p',
      user_id: 'u',
      flavor: {
        id: 1,
        flavorid: '1',
        name: 'f',
        vcpus: 1,
        memory_mb: memoryGb * GIB,
        root_gb: 1,
        ephemeral_gb: 0,
        swap: 0,
        extra_specs: {},
      },
      image: { id: randomUUID(), name: null, min_disk: 0, min_ram: 0, properties: {} },
      availability_zone: null,
      scheduler_hints: {},
      group: null,
      requested_host: null,
      requested_node: null,
      ignore_hosts: [],
      ...extra,
    };
  }

  /** The host chosen for one instance, and its alternates. */
  async function place(memoryGb = 1, extra: Partial<WireRequestSpec> = {}) {
    const [[first, ...alternates]] = await scheduler.select(spec(memoryGb, extra));
    return { host: first.host, alternates: alternates.map((a) => a.host) };
  }

  /** Start every case from an empty region: delete the hosts the previous one reported. */
  async function clear(): Promise<void> {
    for (const cell of (await router.cells()).filter((c) => c.name !== 'cell0')) {
      const ds = await router.targetCell(adminContext(), cell).cell.db();
      await ds.query('UPDATE services SET deleted = id WHERE deleted = 0');
      await ds.query('UPDATE compute_nodes SET deleted = id WHERE deleted = 0');
    }
    // Providers go too: the next report of a host name makes a new node and provider.
    const api = await app.get(ApiDatabase).get();
    for (const table of ['allocations', 'consumers', 'inventories', 'resource_providers']) {
      await api.query(`DELETE FROM ${table}`);
    }
    cache.refreshAll();
  }

  beforeEach(clear);

  it('places on a host that reported after the cache was filled', async () => {
    await report('cell1', 'small', 8);
    expect((await place()).host).toBe('small'); // the cache now holds cell1
    await report('cell1', 'big', 64);
    expect((await place()).host).toBe('big');
  });

  it('sees a host whose inventory grew in its next report', async () => {
    await report('cell1', 'a', 8);
    await report('cell1', 'b', 16);
    expect((await place()).host).toBe('b');
    await report('cell1', 'a', 128);
    expect((await place()).host).toBe('a');
  });

  it('drops a host an operator disabled (os-services) before the next request', async () => {
    await report('cell1', 'best', 64);
    await report('cell1', 'other', 16);
    expect((await place()).host).toBe('best');
    const inventory = app.get(HostInventory);
    const row = await inventory.findServiceByHostAndBinary(adminContext(), 'best', 'nova-compute');
    await inventory.updateService(adminContext(), row, { disabled: true });
    expect((await place()).host).toBe('other');
    // Its heartbeats go on, unchanged: it stays out.
    await report('cell1', 'best', 64);
    expect((await place()).host).toBe('other');
  });

  it('sees a host leave the default zone when its aggregate changes', async () => {
    await report('cell1', 'best', 64);
    await report('cell1', 'other', 16);
    const inNova = { availability_zone: 'nova' };
    expect((await place(1, inNova)).host).toBe('best');
    const aggregates = app.get(AggregateRepository);
    const id = await aggregates.create({
      uuid: randomUUID(),
      name: 'zone-z1',
      metadata: { availability_zone: 'z1' },
      createdAt: new Date(),
    });
    await aggregates.addHost(id, 'best');
    expect((await place(1, inNova)).host).toBe('other');
    expect((await place(1, { availability_zone: 'z1' })).host).toBe('best');
    await aggregates.removeHost(id, 'best');
    await aggregates.deleteIfEmpty(id);
  });

  it('counts its own claims: the next request sees the room they took', async () => {
    await report('cell1', 'a', 16);
    await report('cell1', 'b', 12);
    expect((await place(8)).host).toBe('a'); // a: 16 free before, 8 after
    expect((await place(8)).host).toBe('b'); // a stale cache would pick a again
  });

  it('re-reads a host whose claim placement refused, and stops offering it', async () => {
    await report('cell1', 'a', 16);
    await report('cell1', 'b', 12);
    expect((await place(1)).host).toBe('a');
    // Another scheduler fills a: this cache does not know yet.
    const [a] = await placement.providerSummaries(
      (await placement.providerSummaries()).filter((p) => p.name === 'a').map((p) => p.uuid),
    );
    expect(await placement.claim(randomUUID(), 'p', 'u', a.uuid, { MEMORY_MB: 14 * GIB })).toBe(
      true,
    );
    const refused = await place(4);
    expect(refused).toEqual({ host: 'b', alternates: ['a'] }); // tried a first, lost the claim
    const next = await place(4);
    expect(next).toEqual({ host: 'b', alternates: [] }); // a is known to be full now
  });

  it('schedules to a cell added after the cache was filled', async () => {
    await report('cell1', 'old', 8);
    expect((await place()).host).toBe('old');
    await d.addCell('cell2');
    await report('cell2', 'new', 64); // the registry learns of cell2 here (cellNamed)
    const placed = await place();
    expect(placed.host).toBe('new');
  });

  it('never overcommits under concurrent requests, and ends agreeing with placement', async () => {
    await report('cell1', 'a', 8);
    await report('cell1', 'b', 8);
    const results = await Promise.allSettled(Array.from({ length: 24 }, () => place(1)));
    const placed = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(placed).toHaveLength(16);
    expect(refused.every((r) => r.reason instanceof NoValidHost)).toBe(true);
    const used = (await placement.providerSummaries())
      .filter((p) => ['a', 'b'].includes(p.name))
      .map((p) => p.resources['MEMORY_MB']?.used);
    expect(used).toEqual([8 * GIB, 8 * GIB]);
    // The cache's picture matches: neither host is offered any more.
    await expect(place(1)).rejects.toThrow(NoValidHost);
    const states = await cache.hostStates();
    expect(states.map((s) => s.resources.MEMORY_MB?.used)).toEqual([8 * GIB, 8 * GIB]);
  });

  describe('fed over Redis pub/sub, in a running nova-scheduler', () => {
    let redisApp: INestApplicationContext;
    let mq: RpcTransport;
    let conductor: CellConductor;

    beforeAll(async () => {
      const sections = { ...d.sections, cache: redisCache(d.id) };
      @Module({
        imports: [
          ConfigModule.forRoot(testConfig(sections)),
          CacheModule,
          SchedulerModule,
          ConductorModule,
        ],
      })
      class RedisModule {}
      redisApp = await NestFactory.createApplicationContext(RedisModule, { logger: false });
    });

    afterAll(async () => {
      await conductor?.stop();
      await mq?.close();
      await redisApp?.close();
    });

    it('a compute report published by its conductor reaches the scheduler', async () => {
      const backend = redisApp.get<CacheBackend>(CACHE_BACKEND);
      expect(backend.shared).toBe(true);
      const redisRouter = redisApp.get(CellRouter);
      conductor = new CellConductor(
        config,
        redisRouter,
        redisRouter.mappings,
        redisApp.get(PlacementService),
        redisApp.get(BuildRequests),
        backend,
      );
      await conductor.start(null, await cellNamed('cell1'));
      const methods = conductor.methods();
      const reportTo = async (host: string, memoryGb: number) => {
        await methods.service_report(adminContext(), { host, binary: 'nova-compute' });
        await methods.compute_node_report(adminContext(), { node: nodeReport(host, memoryGb) });
      };
      await reportTo('first', 64);
      await redisApp.get(SchedulerRunner).start({ discoverHostsInterval: -1 });
      mq = await openTransport(d.sections['DEFAULT']['transport_url'], 5000);
      const client = new SchedulerClient(mq, 10_000);
      const hostOf = async () =>
        (await client.selectDestinations(adminContext(), spec()))[0][0].host;
      expect(await hostOf()).toBe('first'); // the scheduler's cache holds cell1 now
      await reportTo('second', 128);
      // Delivery is asynchronous: ask until the message is in. A stale cache says 'first'
      // throughout: it has room for every request made here, so no fallback re-read happens.
      let host = await hostOf();
      for (let i = 0; i < 40 && host !== 'second'; i++) {
        await new Promise((r) => setTimeout(r, 150));
        host = await hostOf();
      }
      expect(host).toBe('second');
    });
  });
});

function nodeReport(host: string, memoryGb: number): ComputeNodeReport {
  return {
    host,
    hypervisor_hostname: host,
    hypervisor_type: 'fake',
    hypervisor_version: 1000,
    vcpus: 64,
    memory_mb: memoryGb * GIB,
    local_gb: 1000,
    cpu_info: '{}',
    host_ip: '127.0.0.1',
  };
}
