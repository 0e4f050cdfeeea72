import { ComputeNode, Service } from '@nova/cells/db';
import { HostMappingRepository } from '@nova/api-db';
import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';
import { HostSeed } from '../../support/host-seed';

const SAMPLE_TIME = '2026-11-21T20:07:17.000000';

/** /os-services over HTTP across two cells (and dead ones), MariaDB + Redis. */
describe('os-services API', () => {
  let d: TestDeployment;
  let api: ApiClient;
  let seed: HostSeed;
  const ids: Record<string, { id: number; uuid: string }> = {};

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1', 'cell2'] });
    api = await ApiClient.start({
      ...d.sections,
      cells: { ...d.sections['cells'], cell_list_timeout: '0.5' },
    });
    seed = new HostSeed(api);
    const keep = (name: string, s: Service) => (ids[name] = { id: s.id, uuid: s.uuid as string });
    keep('ctl1', await seed.service('cell1', { host: 'ctl', binary: 'nova-conductor' }));
    keep('sched1', await seed.service('cell1', { host: 'ctl', binary: 'nova-scheduler' }));
    keep('compute1', (await seed.compute('cell1', 'compute1')).service);
    keep('ctl2', await seed.service('cell2', { host: 'ctl', binary: 'nova-conductor' }));
    keep(
      'compute2',
      (
        await seed.compute('cell2', 'compute2', {
          disabled: true,
          disabled_reason: 'maintenance',
          last_seen_up: new Date(Date.now() - 3600_000),
        })
      ).service,
    );
    await seed.zone('az2', ['compute2']);
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  const byHost = (
    services: Array<{ host: string; binary: string }>,
    host: string,
    binary: string,
  ) => services.find((s) => s.host === host && s.binary === binary);

  describe('GET /os-services', () => {
    it('lists every cell with integer ids at 2.1 (sample 34 shape)', async () => {
      const res = await api.get('/v2.1/os-services');
      expect(res.status).toBe(200);
      expect(res.body.services).toHaveLength(5);
      const compute1 = byHost(res.body.services, 'compute1', 'nova-compute');
      expect(compute1).toEqual({
        binary: 'nova-compute',
        host: 'compute1',
        id: ids['compute1']?.id,
        zone: 'nova',
        status: 'enabled',
        state: 'up',
        updated_at: SAMPLE_TIME,
        disabled_reason: null,
      });
      expect(Object.keys(compute1 as object)).toEqual([
        'binary',
        'host',
        'id',
        'zone',
        'status',
        'state',
        'updated_at',
        'disabled_reason',
      ]);
      expect(byHost(res.body.services, 'ctl', 'nova-conductor')).toMatchObject({
        zone: 'internal',
        state: 'up',
      });
      expect(byHost(res.body.services, 'compute2', 'nova-compute')).toMatchObject({
        zone: 'az2',
        status: 'disabled',
        state: 'down',
        disabled_reason: 'maintenance',
      });
      // Integer ids are per cell: both conductors may share one.
      expect(
        res.body.services.filter((s: { binary: string }) => s.binary === 'nova-conductor'),
      ).toHaveLength(2);
    });

    it('adds forced_down at 2.11 and uses uuids from 2.53 (sample 35 shape)', async () => {
      const v211 = await api.get('/v2.1/os-services', { version: '2.11' });
      expect(byHost(v211.body.services, 'compute1', 'nova-compute')).toMatchObject({
        id: ids['compute1']?.id,
        forced_down: false,
      });
      const v253 = await api.get('/v2.1/os-services', { version: '2.53' });
      const compute1 = byHost(v253.body.services, 'compute1', 'nova-compute');
      expect(compute1).toMatchObject({ id: ids['compute1']?.uuid, forced_down: false });
      expect(Object.keys(compute1 as object)).toEqual([
        'binary',
        'host',
        'id',
        'zone',
        'status',
        'state',
        'updated_at',
        'disabled_reason',
        'forced_down',
      ]);
      const v210 = await api.get('/v2.1/os-services', { version: '2.10' });
      expect(byHost(v210.body.services, 'compute1', 'nova-compute')).not.toHaveProperty(
        'forced_down',
      );
    });

    it('filters by host and binary (empty filters filter nothing)', async () => {
      const ctl = await api.get('/v2.1/os-services?host=ctl');
      expect(ctl.body.services).toHaveLength(3);
      const conductors = await api.get('/v2.1/os-services?host=ctl&binary=nova-conductor');
      expect(conductors.body.services).toHaveLength(2);
      expect((await api.get('/v2.1/os-services?host=nope')).body.services).toEqual([]);
      expect((await api.get('/v2.1/os-services?host=&binary=')).body.services).toHaveLength(5);
    });

    it('ignores unknown query parameters before 2.75 and rejects them from 2.75', async () => {
      expect((await api.get('/v2.1/os-services?colour=red', { version: '2.74' })).status).toBe(200);
      const res = await api.get('/v2.1/os-services?colour=red', { version: '2.75' });
      expect(res.status).toBe(400);
      expect(res.body.badRequest.message).toMatch(/colour/);
    });

    it('is admin only', async () => {
      expect(await api.get('/v2.1/os-services', { as: 'member' })).toMatchObject({
        status: 403,
        body: {
          forbidden: {
            code: 403,
            message: "Policy doesn't allow os_compute_api:os-services:list to be performed.",
          },
        },
      });
    });
  });

  describe('PUT /os-services/{action} (before 2.53)', () => {
    const put = (action: string, body: unknown, version = '2.1') =>
      api.put(`/v2.1/os-services/${action}`, body, { version });

    it('disables, disables with a reason and enables a compute service', async () => {
      expect(await put('disable', { host: 'compute1', binary: 'nova-compute' })).toMatchObject({
        status: 200,
        body: { service: { host: 'compute1', binary: 'nova-compute', status: 'disabled' } },
      });
      const logged = await put('disable-log-reason', {
        host: 'compute1',
        binary: 'nova-compute',
        disabled_reason: 'reboot',
      });
      expect(logged.body).toEqual({
        service: {
          host: 'compute1',
          binary: 'nova-compute',
          status: 'disabled',
          disabled_reason: 'reboot',
        },
      });
      const listed = await api.get('/v2.1/os-services?host=compute1');
      expect(listed.body.services[0]).toMatchObject({
        status: 'disabled',
        disabled_reason: 'reboot',
      });
      expect(
        (await put('enable', { host: 'compute1', binary: 'nova-compute' })).body.service.status,
      ).toBe('enabled');
      const after = await api.get('/v2.1/os-services?host=compute1');
      expect(after.body.services[0]).toMatchObject({ status: 'enabled', disabled_reason: null });
    });

    it('forces down from 2.11 only', async () => {
      const body = { host: 'compute1', binary: 'nova-compute', forced_down: true };
      expect((await put('force-down', { host: 'compute1', binary: 'nova-compute' })).body).toEqual({
        itemNotFound: { code: 404, message: 'Unknown action' },
      });
      expect((await put('force-down', body)).status).toBe(400); // forced_down unknown at 2.1
      expect(await put('force-down', body, '2.11')).toMatchObject({
        status: 200,
        body: { service: { host: 'compute1', binary: 'nova-compute', forced_down: true } },
      });
      const down = await api.get('/v2.1/os-services?host=compute1', { version: '2.11' });
      expect(down.body.services[0]).toMatchObject({ state: 'down', forced_down: true });
      await put('force-down', { ...body, forced_down: 'false' }, '2.11');
      const up = await api.get('/v2.1/os-services?host=compute1', { version: '2.11' });
      expect(up.body.services[0]).toMatchObject({ state: 'up', forced_down: false });
    });

    it("answers Nova's errors", async () => {
      expect(await put('disable-log-reason', { host: 'compute1', binary: 'nova-compute' })).toEqual(
        expect.objectContaining({
          status: 400,
          body: { badRequest: { code: 400, message: 'Missing disabled reason field' } },
        }),
      );
      expect(
        (await put('force-down', { host: 'compute1', binary: 'nova-compute' }, '2.11')).body,
      ).toEqual({ badRequest: { code: 400, message: 'Missing forced_down field' } });
      expect((await put('disable', { host: 'ctl', binary: 'nova-conductor' })).body).toEqual({
        badRequest: {
          code: 400,
          message:
            'Updating a nova-conductor service is not supported. Only nova-compute services can be updated.',
        },
      });
      expect((await put('disable', { host: 'ghost', binary: 'nova-compute' })).body).toEqual({
        itemNotFound: { code: 404, message: 'Could not find binary nova-compute on host ghost.' },
      });
      expect((await put('reboot', { host: 'compute1', binary: 'nova-compute' })).body).toEqual({
        itemNotFound: { code: 404, message: 'Unknown action' },
      });
      expect((await put('disable', { host: 'compute1' })).status).toBe(400);
      expect((await put('disable', { host: 'a b', binary: 'nova-compute' })).status).toBe(400);
      // From 2.53 the body is validated first (as Nova's schema decorator does), then the id.
      expect(
        (await put('disable', { host: 'compute1', binary: 'nova-compute' }, '2.53')).status,
      ).toBe(400);
      expect((await put('disable', { status: 'disabled' }, '2.53')).body).toEqual({
        badRequest: { code: 400, message: 'Invalid uuid disable' },
      });
    });
  });

  describe('PUT /os-services/{service_uuid} (2.53)', () => {
    const put = (uuid: string, body: unknown) =>
      api.put(`/v2.1/os-services/${uuid}`, body, { version: '2.53' });

    it('disables with a reason and returns the whole service', async () => {
      const res = await put(ids['compute1']?.uuid, {
        status: 'disabled',
        disabled_reason: 'upgrade',
      });
      expect(res.status).toBe(200);
      expect(res.body.service).toEqual({
        binary: 'nova-compute',
        host: 'compute1',
        id: ids['compute1']?.uuid,
        zone: 'nova',
        status: 'disabled',
        state: 'up',
        updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/),
        disabled_reason: 'upgrade',
        forced_down: false,
      });
    });

    it('enables (clearing the reason), forces down and back, in one call or two', async () => {
      const uuid = ids['compute1']?.uuid;
      const enabled = await put(uuid, { status: 'enabled' });
      expect(enabled.body.service).toMatchObject({ status: 'enabled', disabled_reason: null });
      const forced = await put(uuid.replaceAll('-', '').toUpperCase(), {
        forced_down: true,
        status: 'disabled',
      });
      expect(forced.body.service).toMatchObject({
        state: 'down',
        forced_down: true,
        status: 'disabled',
        disabled_reason: null,
      });
      const back = await put(uuid, { forced_down: false, status: 'enabled' });
      expect(back.body.service).toMatchObject({ state: 'up', forced_down: false });
    });

    it("answers Nova's errors", async () => {
      const uuid = ids['compute1']?.uuid;
      expect((await put(uuid, { status: 'enabled', disabled_reason: 'x' })).body).toEqual({
        badRequest: {
          code: 400,
          message: "Specifying 'disabled_reason' with status 'enabled' is invalid.",
        },
      });
      expect((await put(uuid, {})).body).toEqual({
        badRequest: {
          code: 400,
          message:
            "No updates were requested. Fields 'status' or 'forced_down' should be specified.",
        },
      });
      expect((await put(uuid, { disabled_reason: 'x' })).status).toBe(400);
      expect((await put(ids['ctl1']?.uuid, { status: 'disabled' })).status).toBe(400);
      expect(
        (await put('8cb5d7e8-c514-49a6-ac68-137a0755fd0e', { status: 'disabled' })).body,
      ).toEqual({
        itemNotFound: {
          code: 404,
          message: 'Service 8cb5d7e8-c514-49a6-ac68-137a0755fd0e could not be found.',
        },
      });
      expect((await put('12', { status: 'disabled' })).body).toEqual({
        badRequest: { code: 400, message: 'Invalid uuid 12' },
      });
      expect((await put(uuid, { status: 'off' })).status).toBe(400);
      expect((await put(uuid, { host: 'compute1' })).status).toBe(400);
    });
  });

  describe('DELETE /os-services/{id}', () => {
    it('refuses an integer id that several cells use (400) and unknown ids (404)', async () => {
      // Both cells numbered their first service 1.
      expect(ids['ctl1']?.id).toBe(ids['ctl2']?.id);
      expect((await api.delete(`/v2.1/os-services/${ids['ctl1']?.id}`)).body).toEqual({
        badRequest: {
          code: 400,
          message: `Service id ${ids['ctl1']?.id} refers to multiple services.`,
        },
      });
      expect((await api.delete('/v2.1/os-services/999')).body).toEqual({
        itemNotFound: { code: 404, message: 'Service 999 not found.' },
      });
      expect((await api.delete('/v2.1/os-services/abc')).body).toEqual({
        badRequest: { code: 400, message: 'Invalid input received: id must be an integer' },
      });
      expect((await api.delete('/v2.1/os-services/abc', { version: '2.53' })).body).toEqual({
        badRequest: { code: 400, message: 'Invalid uuid abc' },
      });
      expect(
        (
          await api.delete('/v2.1/os-services/8cb5d7e8-c514-49a6-ac68-137a0755fd0e', {
            version: '2.53',
          })
        ).status,
      ).toBe(404);
    });

    it('refuses a compute service hosting instances (409)', async () => {
      const inst = await seed.instance('cell1', { host: 'compute1', node: 'compute1' });
      const res = await api.delete(`/v2.1/os-services/${ids['compute1']?.uuid}`, {
        version: '2.53',
      });
      expect(res.body).toEqual({
        conflictingRequest: {
          code: 409,
          message:
            'Unable to delete compute service that is hosting instances. Migrate or delete the instances first.',
        },
      });
      await seed.softDeleteInstance('cell1', inst.id);
    });

    it('deletes a unique integer id (2.1) and a uuid (2.53), soft-deleting nodes and the host mapping', async () => {
      const extra = await seed.compute('cell2', 'compute9', { id: 50 });
      const res = await api.delete(`/v2.1/os-services/${extra.service.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const services = await seed.rows('cell2', Service);
      expect(services.find((s) => s.id === extra.service.id)?.deleted).toBe(extra.service.id);
      const nodes = await seed.rows('cell2', ComputeNode);
      expect(nodes.find((n) => n.id === extra.node.id)?.deleted).toBe(extra.node.id);
      expect(await api.app.get(HostMappingRepository).findByHost('compute9')).toBeNull();

      const byUuid = await api.delete(`/v2.1/os-services/${ids['sched1']?.uuid}`, {
        version: '2.53',
      });
      expect(byUuid.status).toBe(204);
      const listed = await api.get('/v2.1/os-services?binary=nova-scheduler');
      expect(listed.body.services).toEqual([]);
    });
  });

  describe('a dead cell', () => {
    let dead: Awaited<ReturnType<HostSeed['deadCells']>>;

    beforeAll(async () => {
      dead = await seed.deadCells(['lost1', 'lost2']);
    });

    afterAll(() => dead.close());

    it('is skipped before 2.69, within the list timeout', async () => {
      const started = Date.now();
      const res = await api.get('/v2.1/os-services', { version: '2.68' });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(res.status).toBe(200);
      expect(byHost(res.body.services, 'compute1', 'nova-compute')).toBeDefined();
      expect(res.body.services.some((s: { status: string }) => s.status === 'UNKNOWN')).toBe(false);
    });

    it('shows its mapped compute hosts as UNKNOWN from 2.69', async () => {
      const started = Date.now();
      const res = await api.get('/v2.1/os-services', { version: '2.69' });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(byHost(res.body.services, 'compute1', 'nova-compute')).toMatchObject({ state: 'up' });
      expect(res.body.services.filter((s: { status: string }) => s.status === 'UNKNOWN')).toEqual([
        { binary: 'nova-compute', host: 'lost1', status: 'UNKNOWN' },
        { binary: 'nova-compute', host: 'lost2', status: 'UNKNOWN' },
      ]);
      const filtered = await api.get('/v2.1/os-services?host=lost2', { version: '2.69' });
      expect(filtered.body.services).toEqual([
        { binary: 'nova-compute', host: 'lost2', status: 'UNKNOWN' },
      ]);
      const conductors = await api.get('/v2.1/os-services?binary=nova-conductor', {
        version: '2.69',
      });
      expect(
        conductors.body.services.every((s: { status: string }) => s.status !== 'UNKNOWN'),
      ).toBe(true);
    });

    it('does not stop updates in the live cells', async () => {
      const res = await api.put(
        `/v2.1/os-services/${ids['compute1']?.uuid}`,
        { status: 'enabled' },
        { version: '2.53' },
      );
      expect(res.status).toBe(200);
    });
  });
});

/** The same queries on the embedded default's SQLite cells (nova-all). */
describe('hosts APIs on SQLite', () => {
  let d: TestDeployment;
  let api: ApiClient;
  let seed: HostSeed;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'sqlite', cells: ['cell1'] });
    api = await ApiClient.start(d.sections);
    seed = new HostSeed(api);
    await seed.service('cell1', { host: 'ctl', binary: 'nova-conductor' });
    await seed.compute('cell1', 'lite1');
    await seed.compute('cell1', 'lite2');
    await seed.zone('az-lite', ['lite2']);
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  it('lists, searches, sums, zones and deletes', async () => {
    const services = await api.get('/v2.1/os-services', { version: '2.53' });
    expect(services.body.services.map((s: { zone: string }) => s.zone)).toEqual([
      'internal',
      'nova',
      'az-lite',
    ]);
    const found = await api.get('/v2.1/os-hypervisors?hypervisor_hostname_pattern=lite2', {
      version: '2.53',
    });
    expect(found.body.hypervisors).toHaveLength(1);
    expect((await api.get('/v2.1/os-hypervisors/l%25/search')).status).toBe(404);
    const stats = await api.get('/v2.1/os-hypervisors/statistics');
    expect(stats.body.hypervisor_statistics).toMatchObject({ count: 2, vcpus: 2000 });
    const zones = await api.get('/v2.1/os-availability-zone');
    expect(zones.body.availabilityZoneInfo).toHaveLength(2);
    const lite1 = services.body.services.find((s: { host: string }) => s.host === 'lite1');
    expect(
      (await api.delete(`/v2.1/os-services/${lite1.id as string}`, { version: '2.53' })).status,
    ).toBe(204);
    const after = await api.get('/v2.1/os-hypervisors');
    expect(
      after.body.hypervisors.map((h: { hypervisor_hostname: string }) => h.hypervisor_hostname),
    ).toEqual(['lite2']);
  });
});
