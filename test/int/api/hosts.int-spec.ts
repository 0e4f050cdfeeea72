import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';
import { HostSeed } from '../../support/host-seed';

const LONG_AGO = new Date(Date.now() - 24 * 3600_000);

/** os-hosts (deprecated, until 2.42) over HTTP across two cells, MariaDB + Redis. */
describe('os-hosts API', () => {
  let d: TestDeployment;
  let api: ApiClient;
  let seed: HostSeed;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1', 'cell2'] });
    api = await ApiClient.start(d.sections);
    seed = new HostSeed(api);
    await seed.compute('cell1', 'compute1');
    await seed.compute('cell2', 'compute2');
    await seed.compute('cell2', 'down1', { last_seen_up: LONG_AGO, updated_at: LONG_AGO });
    await seed.compute('cell2', 'off1', { disabled: true, disabled_reason: 'old' });
    await seed.service('cell1', { host: 'controller', binary: 'nova-conductor' });
    await seed.zone('az-east', ['compute2']);
    const flavored = (project: string, vcpus: number, memory_mb: number, root_gb: number) =>
      seed.instance('cell1', {
        host: 'compute1',
        node: 'compute1',
        project_id: project,
        vcpus,
        memory_mb,
        root_gb,
        ephemeral_gb: 1,
      });
    await flavored('alpha', 2, 512, 10);
    await flavored('alpha', 1, 256, 5);
    await flavored('beta', 4, 1024, 20);
    const gone = await flavored('beta', 8, 8192, 80);
    await seed.softDeleteInstance('cell1', gone.id);
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  it('lists the hosts of enabled services with their topic and zone, by zone', async () => {
    const all = await api.get('/v2.1/os-hosts');
    expect(all.status).toBe(200);
    const hosts = all.body.hosts as Array<{ host_name: string; service: string; zone: string }>;
    expect(hosts).toEqual(
      expect.arrayContaining([
        { host_name: 'compute1', service: 'compute', zone: 'nova' },
        { host_name: 'compute2', service: 'compute', zone: 'az-east' },
        { host_name: 'down1', service: 'compute', zone: 'nova' },
        { host_name: 'controller', service: 'conductor', zone: 'internal' },
      ]),
    );
    expect(hosts.map((h) => h.host_name)).not.toContain('off1');

    const east = await api.get('/v2.1/os-hosts?zone=az-east');
    expect(east.body.hosts).toEqual([
      { host_name: 'compute2', service: 'compute', zone: 'az-east' },
    ]);
    expect((await api.get('/v2.1/os-hosts?zone=')).body.hosts).toHaveLength(hosts.length);
    expect((await api.get('/v2.1/os-hosts?zone=xxx')).body.hosts).toEqual([]);
  });

  it("shows a host's capacity, usage and what each project's instances hold", async () => {
    const res = await api.get('/v2.1/os-hosts/compute1');
    expect(res.status).toBe(200);
    expect(res.body.host).toEqual([
      {
        resource: {
          host: 'compute1',
          project: '(total)',
          cpu: 1000,
          memory_mb: 800000,
          disk_gb: 600000,
        },
      },
      {
        resource: { host: 'compute1', project: '(used_now)', cpu: 1, memory_mb: 1024, disk_gb: 1 },
      },
      {
        resource: { host: 'compute1', project: '(used_max)', cpu: 7, memory_mb: 1792, disk_gb: 38 },
      },
      { resource: { host: 'compute1', project: 'alpha', cpu: 3, memory_mb: 768, disk_gb: 17 } },
      { resource: { host: 'compute1', project: 'beta', cpu: 4, memory_mb: 1024, disk_gb: 21 } },
    ]);
    const missing = await api.get('/v2.1/os-hosts/nonexistent_hostname');
    expect(missing.status).toBe(404);
    expect(missing.body.itemNotFound.message).toBe(
      "Host 'nonexistent_hostname' is not mapped to any cell",
    );
  });

  it("enables and disables a host's compute service", async () => {
    const off = await api.put('/v2.1/os-hosts/compute2', { status: 'disable' });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ host: 'compute2', status: 'disabled' });
    const services = await api.get('/v2.1/os-services?host=compute2');
    expect(services.body.services[0].status).toBe('disabled');
    const on = await api.put('/v2.1/os-hosts/compute2', { status: 'ENABLE' });
    expect(on.body).toEqual({ host: 'compute2', status: 'enabled' });
    expect((await api.get('/v2.1/os-services?host=compute2')).body.services[0].status).toBe(
      'enabled',
    );
  });

  it("refuses bad updates with Nova's faults", async () => {
    const cases: Array<[unknown, number]> = [
      [{ status: 'invalid' }, 400],
      [{ maintenance_mode: 'invalid' }, 400],
      [{}, 400],
      [{ status: 'enable', bogus: 1 }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await api.put('/v2.1/os-hosts/compute1', body);
      expect(res.status === status ? status : res.text).toBe(status);
    }
    expect((await api.put('/v2.1/os-hosts/nope', { status: 'enable' })).status).toBe(404);
    const maintenance = await api.put('/v2.1/os-hosts/compute1', { maintenance_mode: 'enable' });
    expect(maintenance.status).toBe(501);
    expect(maintenance.body.notImplemented.message).toBe(
      'Virt driver does not implement host maintenance mode.',
    );
  });

  it('power actions: 404 unknown host, 400 down host, 501 otherwise', async () => {
    for (const action of ['startup', 'shutdown', 'reboot']) {
      expect((await api.get(`/v2.1/os-hosts/nope/${action}`)).status).toBe(404);
      expect((await api.get(`/v2.1/os-hosts/down1/${action}`)).status).toBe(400);
      const res = await api.get(`/v2.1/os-hosts/compute1/${action}`);
      expect(res.status).toBe(501);
      expect(res.body.notImplemented.message).toBe(
        'Virt driver does not implement host power management.',
      );
    }
    expect((await api.get('/v2.1/os-hosts/compute1/explode')).status).toBe(404);
  });

  it('is for admins only, and gone from 2.43', async () => {
    const member = { as: 'member' as const };
    expect((await api.get('/v2.1/os-hosts', member)).status).toBe(403);
    expect((await api.get('/v2.1/os-hosts/compute1', member)).status).toBe(403);
    expect((await api.put('/v2.1/os-hosts/compute1', { status: 'enable' }, member)).status).toBe(
      403,
    );
    expect((await api.get('/v2.1/os-hosts/compute1/reboot', member)).status).toBe(403);
    expect((await api.get('/v2.1/os-hosts', { version: '2.43' })).status).toBe(404);
    expect((await api.get('/v2.1/os-hosts', { version: '2.42' })).status).toBe(200);
  });
});
