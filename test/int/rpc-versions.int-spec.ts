import { randomUUID } from 'node:crypto';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheModule } from '@nova/cache';
import { CellRouter, type Cell } from '@nova/cell-router';
import { CellConductor, ConductorModule } from '@nova/cells/conductor';
import { InstanceWriter } from '@nova/cells/db';
import { HostsModule, minServiceVersionAcrossCells } from '@nova/cells/hosts';
import { adminContext } from '@nova/common';
import {
  CellConductorClient,
  ComputeClient,
  COMPUTE_RPC_VERSION,
  COMPUTE_TOPIC,
  CONDUCTOR_TOPIC,
  ReportedServiceVersions,
  RpcVersionPins,
  SERVICE_VERSION,
  tailLines,
  UNREPORTED_SERVICE_VERSION,
  UnexpectedTaskState,
} from '@nova/compute-rpc';
import { ConfigModule, type NovaConfig } from '@nova/config';
import { PlacementService } from '@nova/placement';
import {
  dispatcher,
  envelope,
  openTransport,
  UnsupportedVersion,
  type RpcEnvelope,
  type RpcMethod,
  type RpcTransport,
} from '@nova/rpc';
import { BuildRequests } from '@nova/servers';
import { buildFields } from '../support/build-fields';
import { testConfig } from '../support/config';
import { TestDeployment } from '../support/deployment';

const LOG = 'boot 1\nboot 2\nboot 3\nlogin:\n';

/**
 * A mixed deployment on RabbitMQ and MariaDB: a compute host that speaks
 * compute RPC 6.0 only beside one speaking ours, an older and a newer client,
 * and `[upgrade_levels] compute = auto` reading the versions the hosts report
 * through the real cell conductor.
 */
describe('RPC version pins in a mixed deployment (rabbitmq, mariadb)', () => {
  let d: TestDeployment;
  let app: INestApplicationContext;
  let config: NovaConfig;
  let router: CellRouter;
  let cell: Cell;
  let mq: RpcTransport;
  let conductor: CellConductor;
  /** Each host's received envelopes, as they came off the queue. */
  const received = new Map<string, RpcEnvelope[]>();
  const ctx = adminContext();

  /** A compute host speaking `version`; 6.0 knows no tail_length and sends the whole log. */
  async function computeHost(host: string, version: string): Promise<void> {
    const methods: Record<string, RpcMethod> = {
      get_console_output: (_ctx, a: { tail_length?: number | null }) =>
        Promise.resolve(version === '6.0' ? LOG : tailLines(LOG, a.tail_length ?? null)),
    };
    const handler = dispatcher(methods, { version });
    received.set(host, []);
    await mq.serve({ topic: COMPUTE_TOPIC, server: host }, (m) => {
      received.get(host)!.push(m);
      return handler(m);
    });
  }

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', cells: ['cell1'], vhosts: true });
    config = testConfig(d.sections);
    @Module({ imports: [ConfigModule.forRoot(config), CacheModule, ConductorModule, HostsModule] })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    router = app.get(CellRouter);
    cell = (await router.cells()).find((c) => c.name === 'cell1')!;
    mq = await openTransport(d.cellUrls.get('cell1')!.mq, 5000);
    conductor = new CellConductor(
      config,
      router,
      router.mappings,
      app.get(PlacementService),
      app.get(BuildRequests),
    );
    await conductor.start(mq, cell);
    await computeHost('old-host', '6.0');
    // Ours speaks 6.1, the version that added get_console_output's tail_length.
    expect(COMPUTE_RPC_VERSION).toBe('6.1');
    await computeHost('new-host', COMPUTE_RPC_VERSION);
  }, 120_000);

  afterAll(async () => {
    await conductor?.stop();
    await mq?.close();
    await app?.close();
    await d?.cleanup();
  });

  beforeEach(() => received.forEach((list) => list.splice(0)));

  it('a client pinned to 6.0 reaches the old host: tail_length dropped, the caller trims', async () => {
    const pinned = new ComputeClient(mq, 10_000, new RpcVersionPins({ compute: '6.0' }));
    const out = await pinned.consoleOutput(ctx, 'old-host', 'u1', 2);
    expect(out).toBe(LOG);
    expect(tailLines(out, 2)).toBe('login:\n');
    const [message] = received.get('old-host')!;
    expect(message.version).toBe('6.0');
    expect(message.args).toEqual({ instance_uuid: 'u1' });
  });

  it('the same pinned client reaches the new host too (an older minor is accepted)', async () => {
    const pinned = new ComputeClient(mq, 10_000, new RpcVersionPins({ compute: '6.0' }));
    expect(await pinned.consoleOutput(ctx, 'new-host', 'u1', 2)).toBe(LOG);
    expect(received.get('new-host')![0].version).toBe('6.0');
  });

  it('an unpinned client sends 6.1 with tail_length: the new host trims, the old one refuses', async () => {
    const unpinned = new ComputeClient(mq, 10_000, new RpcVersionPins({}));
    expect(await unpinned.consoleOutput(ctx, 'new-host', 'u1', 2)).toBe('login:\n');
    expect(received.get('new-host')![0]).toMatchObject({
      version: '6.1',
      args: { instance_uuid: 'u1', tail_length: 2 },
    });

    const err = await unpinned.consoleOutput(ctx, 'old-host', 'u1', 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedVersion);
    expect((err as UnsupportedVersion).code).toBe(409);
    expect((err as Error).message).toBe(
      'Endpoint does not support RPC version 6.1. Attempted method: get_console_output',
    );
  });

  it('an unpinned client’s message without the 6.1 argument is a 6.0 message the old host runs', async () => {
    const unpinned = new ComputeClient(mq, 10_000, new RpcVersionPins({}));
    expect(await unpinned.consoleOutput(ctx, 'old-host', 'u1')).toBe(LOG);
    expect(received.get('old-host')![0].version).toBe('6.0');
  });

  it('auto resolves to the lowest version the hosts report, and lifts once the old host upgrades', async () => {
    // The old host heartbeats as a 6.0-era compute does: no service version in its report.
    await mq.call(
      { topic: CONDUCTOR_TOPIC },
      envelope(ctx, 'service_report', { host: 'old-host', binary: 'nova-compute' }, '1.25'),
      10_000,
    );
    // The new host heartbeats with ours, and is answered with the cell's lowest versions.
    const reply = await new CellConductorClient(mq, 10_000).serviceReport(
      ctx,
      'new-host',
      'nova-compute',
    );
    const ds = await router.targetCell(ctx, cell).cell.db();
    const recorded = await ds.query<Array<{ host: string; version: number }>>(
      "SELECT host, version FROM services WHERE `binary` = 'nova-compute' ORDER BY host",
    );
    expect(recorded.map((r) => [r.host, Number(r.version)])).toEqual([
      ['new-host', SERVICE_VERSION],
      ['old-host', UNREPORTED_SERVICE_VERSION],
    ]);

    // nova-compute: from its heartbeat's reply.
    expect(reply.min_versions?.['nova-compute']).toBe(UNREPORTED_SERVICE_VERSION);
    const reported = new ReportedServiceVersions();
    reported.update(reply.min_versions);
    expect(await new RpcVersionPins({ compute: 'auto' }, reported.min).cap('compute')).toBe('6.0');

    // API and conductors: from the services tables of every cell.
    const auto = new RpcVersionPins({ compute: 'auto' }, minServiceVersionAcrossCells(router), 0);
    expect(await auto.cap('compute')).toBe('6.0');
    const client = new ComputeClient(mq, 10_000, auto);
    expect(await client.consoleOutput(ctx, 'old-host', 'u1', 2)).toBe(LOG);
    expect(received.get('old-host')![0].args).toEqual({ instance_uuid: 'u1' });

    // The old host is upgraded and reports ours: auto now sends 6.1.
    await new CellConductorClient(mq, 10_000).serviceReport(ctx, 'old-host', 'nova-compute');
    expect(await auto.cap('compute')).toBe('6.1');
    expect(await client.consoleOutput(ctx, 'new-host', 'u1', 2)).toBe('login:\n');
  });

  describe('conductor 1.27: a host change and its action event in one call', () => {
    /** An instance scheduled to a host, with its create action under `requestId`. */
    const scheduled = async (requestId: string) => {
      const uuid = randomUUID();
      const ds = await router.targetCell(ctx, cell).cell.db();
      const placed = { host: 'new-host', node: 'new-host', availability_zone: null };
      await new InstanceWriter(ds).create(
        buildFields(uuid),
        { ...placed, vm_state: 'building', task_state: 'scheduling' },
        [],
        { ...ctx, requestId },
      );
      const events = async () =>
        (
          await ds.query<Array<{ event: string; result: string | null }>>(
            'SELECT e.event, e.result FROM instance_actions_events e ' +
              'JOIN instance_actions a ON a.id = e.action_id WHERE a.instance_uuid = ?',
            [uuid],
          )
        ).map((e) => [e.event, e.result]);
      const taskState = async () =>
        (
          await ds.query<Array<{ task_state: string | null }>>(
            'SELECT task_state FROM instances WHERE uuid = ?',
            [uuid],
          )
        )[0]?.task_state;
      return { uuid, events, taskState };
    };
    const start = {
      event: 'compute_build_and_run_instance',
      host: 'new-host',
      result: 'start' as const,
    };

    it.each([
      ['speaks 1.27: one call', {}, ['1.27']],
      ['is pinned to 1.26: the two calls it knows', { conductor: '1.26' }, ['1.25', '1.25']],
    ])('a host that %s', async (_name, pins, versions) => {
      const requestId = `req-${randomUUID()}`;
      const build = await scheduled(requestId);
      const client = new CellConductorClient(mq, 10_000, new RpcVersionPins(pins));
      const calls = jest.spyOn(mq, 'call');
      try {
        await client.instanceUpdate(
          { ...ctx, requestId },
          build.uuid,
          [null, 'scheduling'],
          { task_state: 'spawning' },
          start,
        );
        expect(calls.mock.calls.map(([, m]) => m.version).sort()).toEqual(versions);
      } finally {
        calls.mockRestore();
      }
      expect(await build.taskState()).toBe('spawning');
      expect(await build.events()).toEqual([['compute_build_and_run_instance', null]]);
    });

    it('a finish is recorded only when the change held', async () => {
      const requestId = `req-${randomUUID()}`;
      const build = await scheduled(requestId);
      const client = new CellConductorClient(mq, 10_000);
      const rctx = { ...ctx, requestId };
      await client.instanceUpdate(
        rctx,
        build.uuid,
        [null, 'scheduling'],
        { task_state: 'spawning' },
        start,
      );
      const finish = { ...start, result: 'Success' as const };
      // Not spawning any more (deleted meanwhile, say): refused, and the event stays open.
      await expect(
        client.instanceUpdate(rctx, build.uuid, ['rebooting'], { task_state: null }, finish),
      ).rejects.toBeInstanceOf(UnexpectedTaskState);
      expect(await build.events()).toEqual([['compute_build_and_run_instance', null]]);
      await client.instanceUpdate(
        rctx,
        build.uuid,
        ['spawning'],
        { vm_state: 'active', task_state: null },
        finish,
      );
      expect(await build.events()).toEqual([['compute_build_and_run_instance', 'Success']]);
    });
  });
});
