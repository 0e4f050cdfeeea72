import type { RpcConsumer, RpcMethod } from '@nova/rpc';
import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';
import { HostSeed } from '../../support/host-seed';

const CPU_INFO = {
  arch: 'x86_64',
  model: 'Nehalem',
  vendor: 'Intel',
  features: ['pge', 'clflush'],
  topology: { cores: 1, threads: 1, sockets: 4 },
};
const LONG_AGO = new Date(Date.now() - 24 * 3600_000);
const UPTIME = ' 08:32:11 up 93 days, 18:25,  12 users,  load average: 0.20, 0.12, 0.14';

type Hyp = { id: number | string; hypervisor_hostname: string; [k: string]: unknown };

/** /os-hypervisors over HTTP across two cells (and dead ones), MariaDB + Redis. */
describe('os-hypervisors API', () => {
  let d: TestDeployment;
  let api: ApiClient;
  let seed: HostSeed;
  const nodes: Record<
    string,
    { id: number; uuid: string; serviceId: number; serviceUuid: string }
  > = {};
  let servers: Array<{ name: string; uuid: string }> = [];
  /** compute1's queue in cell1, answered here as its nova-compute would. */
  let compute1: RpcConsumer | undefined;
  const answerAsCompute1 = async (methods: Record<string, RpcMethod>) => {
    await compute1?.stop();
    compute1 = await seed.answerAsCompute('cell1', 'compute1', methods);
  };

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1', 'cell2'] });
    api = await ApiClient.start({
      ...d.sections,
      DEFAULT: { ...d.sections['DEFAULT'], rpc_response_timeout: '1' },
      cells: { ...d.sections['cells'], cell_list_timeout: '0.5' },
    });
    seed = new HostSeed(api);
    await answerAsCompute1({ get_host_uptime: () => Promise.resolve(UPTIME) });
    const add = async (cell: string, host: string, service = {}, cpuInfo: string | null = null) => {
      const svc = await seed.service(cell, { host, binary: 'nova-compute', ...service });
      const node = await seed.node(cell, { host, service_id: svc.id, cpu_info: cpuInfo });
      nodes[host] = {
        id: node.id,
        uuid: node.uuid as string,
        serviceId: svc.id,
        serviceUuid: svc.uuid as string,
      };
    };
    await add('cell1', 'compute1', {}, JSON.stringify(CPU_INFO));
    await add('cell1', 'compute3', { last_seen_up: LONG_AGO, updated_at: LONG_AGO });
    await add('cell2', 'compute2', {
      disabled: true,
      disabled_reason: 'maintenance',
      last_seen_up: LONG_AGO,
      updated_at: LONG_AGO,
    });
    // A node whose service was deleted without it: never listed.
    await seed.node('cell2', { host: 'orphan' });
    const a = await seed.instance('cell1', { host: 'compute1', node: 'compute1' });
    const b = await seed.instance('cell1', { host: 'compute1', node: null });
    const gone = await seed.instance('cell1', { host: 'compute1', node: 'compute1' });
    await seed.softDeleteInstance('cell1', gone.id);
    await seed.instance('cell1', { host: 'compute1', node: 'other-node' });
    servers = [a, b].map((i) => ({
      name: `instance-${i.id.toString(16).padStart(8, '0')}`,
      uuid: i.uuid,
    }));
  });

  afterAll(async () => {
    await compute1?.stop();
    await api.close();
    await d.cleanup();
  });

  const hostnames = (body: { hypervisors: Hyp[] }) =>
    body.hypervisors.map((h) => h.hypervisor_hostname);
  const find = (body: { hypervisors: Hyp[] }, host: string) =>
    body.hypervisors.find((h) => h.hypervisor_hostname === host) as Hyp;

  describe('list and detail', () => {
    it('lists nodes of every cell with integer ids at 2.1, without orphans', async () => {
      const res = await api.get('/v2.1/os-hypervisors');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        hypervisors: [
          {
            id: nodes['compute1']?.id,
            hypervisor_hostname: 'compute1',
            state: 'up',
            status: 'enabled',
          },
          {
            id: nodes['compute3']?.id,
            hypervisor_hostname: 'compute3',
            state: 'down',
            status: 'enabled',
          },
          {
            id: nodes['compute2']?.id,
            hypervisor_hostname: 'compute2',
            state: 'down',
            status: 'disabled',
          },
        ],
      });
    });

    it('details nodes as sample 36 at 2.1 (cpu_info a string)', async () => {
      const res = await api.get('/v2.1/os-hypervisors/detail');
      const compute1 = find(res.body, 'compute1');
      expect(compute1).toEqual({
        id: nodes['compute1']?.id,
        hypervisor_hostname: 'compute1',
        state: 'up',
        status: 'enabled',
        hypervisor_type: 'fake',
        hypervisor_version: 1000,
        host_ip: '127.0.0.1',
        service: { id: nodes['compute1']?.serviceId, host: 'compute1', disabled_reason: null },
        vcpus: 1000,
        memory_mb: 800000,
        local_gb: 600000,
        vcpus_used: 1,
        memory_mb_used: 1024,
        local_gb_used: 1,
        free_ram_mb: 798976,
        free_disk_gb: 599999,
        current_workload: 0,
        running_vms: 1,
        disk_available_least: 0,
        cpu_info: JSON.stringify(CPU_INFO),
      });
      // Sample 36's field order.
      expect(Object.keys(compute1)).toEqual([
        'id',
        'hypervisor_hostname',
        'state',
        'status',
        'hypervisor_type',
        'hypervisor_version',
        'host_ip',
        'service',
        'vcpus',
        'memory_mb',
        'local_gb',
        'vcpus_used',
        'memory_mb_used',
        'local_gb_used',
        'free_ram_mb',
        'free_disk_gb',
        'current_workload',
        'running_vms',
        'disk_available_least',
        'cpu_info',
      ]);
      expect(find(res.body, 'compute2')['service']).toEqual({
        id: nodes['compute2']?.serviceId,
        host: 'compute2',
        disabled_reason: 'maintenance',
      });
    });

    it('shows cpu_info as an object from 2.28 ({} when unknown)', async () => {
      const v227 = await api.get('/v2.1/os-hypervisors/detail', { version: '2.27' });
      expect(typeof find(v227.body, 'compute1')['cpu_info']).toBe('string');
      const res = await api.get('/v2.1/os-hypervisors/detail', { version: '2.28' });
      expect(find(res.body, 'compute1')['cpu_info']).toEqual(CPU_INFO);
      expect(find(res.body, 'compute3')['cpu_info']).toEqual({});
    });

    it('ignores limit before 2.33 and pages from 2.33 with hypervisors_links', async () => {
      const v232 = await api.get('/v2.1/os-hypervisors?limit=1', { version: '2.32' });
      expect(v232.body.hypervisors).toHaveLength(3);
      expect(v232.body.hypervisors_links).toBeUndefined();
      const page = await api.get('/v2.1/os-hypervisors?limit=2', { version: '2.33' });
      expect(hostnames(page.body)).toEqual(['compute1', 'compute3']);
      expect(page.body.hypervisors_links).toEqual([
        {
          rel: 'next',
          href: `http://localhost:80/v2.1/os-hypervisors?limit=2&marker=${nodes['compute3']?.id}`,
        },
      ]);
      const next = await api.get(
        `/v2.1/os-hypervisors/detail?limit=2&marker=${nodes['compute3']?.id}`,
        {
          version: '2.33',
        },
      );
      expect(hostnames(next.body)).toEqual(['compute2']);
      expect(next.body.hypervisors_links).toBeUndefined();
      expect((await api.get('/v2.1/os-hypervisors?marker=999', { version: '2.33' })).body).toEqual({
        badRequest: { code: 400, message: 'marker [999] not found' },
      });
      expect((await api.get('/v2.1/os-hypervisors?limit=-1', { version: '2.33' })).status).toBe(
        400,
      );
      expect((await api.get('/v2.1/os-hypervisors?limit=0', { version: '2.33' })).body).toEqual({
        hypervisors: [],
      });
    });

    it('uses uuids from 2.53, pages by uuid marker', async () => {
      const res = await api.get('/v2.1/os-hypervisors/detail?limit=1', { version: '2.53' });
      const compute1 = res.body.hypervisors[0] as Hyp;
      expect(compute1.id).toBe(nodes['compute1']?.uuid);
      expect(compute1['service']).toMatchObject({ id: nodes['compute1']?.serviceUuid });
      expect(res.body.hypervisors_links[0].href).toBe(
        `http://localhost:80/v2.1/os-hypervisors/detail?limit=1&marker=${nodes['compute1']?.uuid}`,
      );
      const next = await api.get(`/v2.1/os-hypervisors?limit=5&marker=${nodes['compute1']?.uuid}`, {
        version: '2.53',
      });
      expect(hostnames(next.body)).toEqual(['compute3', 'compute2']);
    });

    it('filters by hypervisor_hostname_pattern from 2.53, without paging', async () => {
      const all = await api.get('/v2.1/os-hypervisors?hypervisor_hostname_pattern=compute', {
        version: '2.53',
      });
      expect(hostnames(all.body)).toEqual(['compute1', 'compute3', 'compute2']);
      expect(all.body.hypervisors_links).toBeUndefined();
      const one = await api.get('/v2.1/os-hypervisors/detail?hypervisor_hostname_pattern=ute2', {
        version: '2.53',
      });
      expect(hostnames(one.body)).toEqual(['compute2']);
      expect(
        (
          await api.get('/v2.1/os-hypervisors?hypervisor_hostname_pattern=nomatch', {
            version: '2.53',
          })
        ).body,
      ).toEqual({
        itemNotFound: { code: 404, message: "No hypervisor matching 'nomatch' could be found." },
      });
      expect(
        (
          await api.get('/v2.1/os-hypervisors?hypervisor_hostname_pattern=compute&limit=1', {
            version: '2.53',
          })
        ).body,
      ).toEqual({
        badRequest: {
          code: 400,
          message:
            'Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.',
        },
      });
      // Before 2.53 the parameter means nothing; from 2.53 unknown parameters are refused.
      const v252 = await api.get('/v2.1/os-hypervisors?hypervisor_hostname_pattern=ute2', {
        version: '2.52',
      });
      expect(v252.body.hypervisors).toHaveLength(3);
      expect((await api.get('/v2.1/os-hypervisors?colour=1', { version: '2.53' })).status).toBe(
        400,
      );
    });

    it('lists servers with with_servers from 2.53, always from 2.75', async () => {
      const res = await api.get('/v2.1/os-hypervisors?with_servers=true', { version: '2.53' });
      expect(find(res.body, 'compute1')['servers']).toEqual(servers);
      expect(find(res.body, 'compute3')).not.toHaveProperty('servers');
      const v275 = await api.get('/v2.1/os-hypervisors/detail?with_servers=yes', {
        version: '2.75',
      });
      expect(find(v275.body, 'compute1')['servers']).toEqual(servers);
      expect(find(v275.body, 'compute3')['servers']).toEqual([]);
      const without = await api.get('/v2.1/os-hypervisors?with_servers=false', { version: '2.75' });
      expect(find(without.body, 'compute1')).not.toHaveProperty('servers');
      expect(
        (await api.get('/v2.1/os-hypervisors?with_servers=maybe', { version: '2.53' })).status,
      ).toBe(400);
    });

    it('drops the resource fields and cpu_info at 2.88 and adds uptime (sample 37)', async () => {
      const res = await api.get('/v2.1/os-hypervisors/detail', { version: '2.88' });
      expect(find(res.body, 'compute1')).toEqual({
        id: nodes['compute1']?.uuid,
        hypervisor_hostname: 'compute1',
        state: 'up',
        status: 'enabled',
        hypervisor_type: 'fake',
        hypervisor_version: 1000,
        host_ip: '127.0.0.1',
        service: { id: nodes['compute1']?.serviceUuid, host: 'compute1', disabled_reason: null },
        uptime: null,
      });
      const v287 = await api.get('/v2.1/os-hypervisors/detail', { version: '2.87' });
      expect(find(v287.body, 'compute1')).toHaveProperty('vcpus', 1000);
      expect(find(v287.body, 'compute1')).not.toHaveProperty('uptime');
    });
  });

  describe('show', () => {
    it('shows by integer id before 2.53 (404 for anything else)', async () => {
      const res = await api.get(`/v2.1/os-hypervisors/${nodes['compute1']?.id}`);
      expect(res.status).toBe(200);
      expect(res.body.hypervisor).toMatchObject({ hypervisor_hostname: 'compute1', vcpus: 1000 });
      expect((await api.get('/v2.1/os-hypervisors/abc')).body).toEqual({
        itemNotFound: { code: 404, message: "Hypervisor with ID 'abc' could not be found." },
      });
      expect((await api.get('/v2.1/os-hypervisors/999')).status).toBe(404);
      expect((await api.get(`/v2.1/os-hypervisors/${nodes['compute1']?.uuid}`)).status).toBe(404);
    });

    it('shows by uuid from 2.53 (400 for a non-uuid), with servers on request', async () => {
      const uuid = nodes['compute1']?.uuid;
      const res = await api.get(`/v2.1/os-hypervisors/${uuid}?with_servers=1`, { version: '2.53' });
      expect(res.body.hypervisor).toMatchObject({ id: uuid, servers });
      expect((await api.get('/v2.1/os-hypervisors/1', { version: '2.53' })).body).toEqual({
        badRequest: { code: 400, message: 'Invalid uuid 1' },
      });
      expect(
        (
          await api.get('/v2.1/os-hypervisors/8cb5d7e8-c514-49a6-ac68-137a0755fd0e', {
            version: '2.53',
          })
        ).status,
      ).toBe(404);
      const empty = await api.get(
        `/v2.1/os-hypervisors/${nodes['compute3']?.uuid}?with_servers=true`,
        { version: '2.75' },
      );
      expect(empty.body.hypervisor.servers).toEqual([]);
      expect(
        (await api.get(`/v2.1/os-hypervisors/${uuid}?colour=1`, { version: '2.53' })).status,
      ).toBe(400);
      const v288 = await api.get(`/v2.1/os-hypervisors/${uuid}`, { version: '2.88' });
      expect(v288.body.hypervisor).toHaveProperty('uptime', UPTIME);
      expect(v288.body.hypervisor).not.toHaveProperty('vcpus');
      expect(
        (await api.get(`/v2.1/os-hypervisors/${uuid}`, { version: '2.87' })).body.hypervisor,
      ).not.toHaveProperty('uptime');
    });

    it('shows a null uptime at 2.88 when the host is down or cannot tell', async () => {
      const down = await api.get(`/v2.1/os-hypervisors/${nodes['compute3']?.uuid}`, {
        version: '2.88',
      });
      expect(down.status).toBe(200);
      expect(down.body.hypervisor).toMatchObject({ state: 'down', uptime: null });
      await answerAsCompute1({});
      try {
        const cannot = await api.get(`/v2.1/os-hypervisors/${nodes['compute1']?.uuid}`, {
          version: '2.88',
        });
        expect(cannot.status).toBe(200);
        expect(cannot.body.hypervisor).toHaveProperty('uptime', null);
      } finally {
        await answerAsCompute1({ get_host_uptime: () => Promise.resolve(UPTIME) });
      }
    });
  });

  describe('statistics, uptime, search and servers', () => {
    it('sums the nodes of enabled services until 2.87', async () => {
      const res = await api.get('/v2.1/os-hypervisors/statistics');
      expect(res.body).toEqual({
        hypervisor_statistics: {
          count: 2,
          vcpus: 2000,
          memory_mb: 1600000,
          local_gb: 1200000,
          vcpus_used: 2,
          memory_mb_used: 2048,
          local_gb_used: 2,
          free_ram_mb: 1597952,
          free_disk_gb: 1199998,
          current_workload: 0,
          running_vms: 2,
          disk_available_least: 0,
        },
      });
      expect((await api.get('/v2.1/os-hypervisors/statistics', { version: '2.87' })).status).toBe(
        200,
      );
      expect((await api.get('/v2.1/os-hypervisors/statistics', { version: '2.88' })).status).toBe(
        404,
      );
    });

    it("reports the host's uptime for an up host, 400 for a down one, until 2.87", async () => {
      const res = await api.get(`/v2.1/os-hypervisors/${nodes['compute1']?.id}/uptime`);
      expect(res.body).toEqual({
        hypervisor: {
          id: nodes['compute1']?.id,
          hypervisor_hostname: 'compute1',
          state: 'up',
          status: 'enabled',
          uptime: UPTIME,
        },
      });
      expect((await api.get(`/v2.1/os-hypervisors/${nodes['compute3']?.id}/uptime`)).body).toEqual({
        badRequest: {
          code: 400,
          message: 'Compute service of compute3 is unavailable at this time.',
        },
      });
      const v253 = await api.get(`/v2.1/os-hypervisors/${nodes['compute1']?.uuid}/uptime`, {
        version: '2.53',
      });
      expect(v253.body.hypervisor.id).toBe(nodes['compute1']?.uuid);
      expect(
        (
          await api.get(`/v2.1/os-hypervisors/${nodes['compute1']?.uuid}/uptime`, {
            version: '2.88',
          })
        ).status,
      ).toBe(404);
    });

    it('answers 501 when the host cannot tell its uptime, 400 when it does not answer', async () => {
      const url = `/v2.1/os-hypervisors/${nodes['compute1']?.id}/uptime`;
      try {
        await answerAsCompute1({});
        expect((await api.get(url)).body).toEqual({
          notImplemented: { code: 501, message: 'Virt driver does not implement uptime function.' },
        });
        await compute1?.stop();
        compute1 = undefined;
        expect((await api.get(url)).body).toEqual({
          badRequest: {
            code: 400,
            message: 'Compute service of compute1 is unavailable at this time.',
          },
        });
      } finally {
        await answerAsCompute1({ get_host_uptime: () => Promise.resolve(UPTIME) });
      }
    });

    it('searches by hostname and lists servers until 2.52', async () => {
      const res = await api.get('/v2.1/os-hypervisors/compute/search');
      expect(hostnames(res.body)).toEqual(['compute1', 'compute3', 'compute2']);
      expect(Object.keys(res.body.hypervisors[0])).toEqual([
        'id',
        'hypervisor_hostname',
        'state',
        'status',
      ]);
      // The pattern is a literal substring: LIKE wildcards match nothing.
      expect((await api.get('/v2.1/os-hypervisors/%25/search')).status).toBe(404);
      expect((await api.get('/v2.1/os-hypervisors/comp_te/search')).status).toBe(404);
      expect((await api.get('/v2.1/os-hypervisors/nomatch/search')).body).toEqual({
        itemNotFound: { code: 404, message: "No hypervisor matching 'nomatch' could be found." },
      });
      const withServers = await api.get('/v2.1/os-hypervisors/compute/servers');
      expect(find(withServers.body, 'compute1')['servers']).toEqual(servers);
      expect(find(withServers.body, 'compute3')).not.toHaveProperty('servers');
      expect(
        (await api.get('/v2.1/os-hypervisors/compute/search', { version: '2.53' })).status,
      ).toBe(404);
      expect(
        (await api.get('/v2.1/os-hypervisors/compute/servers', { version: '2.53' })).status,
      ).toBe(404);
    });

    it('is admin only', async () => {
      expect(await api.get('/v2.1/os-hypervisors/detail', { as: 'member' })).toMatchObject({
        status: 403,
        body: {
          forbidden: {
            message:
              "Policy doesn't allow os_compute_api:os-hypervisors:list-detail to be performed.",
          },
        },
      });
    });
  });

  describe('a dead cell', () => {
    let dead: Awaited<ReturnType<HostSeed['deadCells']>>;

    beforeAll(async () => {
      dead = await seed.deadCells(['lost1']);
    });

    afterAll(() => dead.close());

    it('leaves the other cells answering within the list timeout', async () => {
      const started = Date.now();
      const res = await api.get('/v2.1/os-hypervisors/detail', { version: '2.53' });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(hostnames(res.body)).toEqual(['compute1', 'compute3', 'compute2']);
      const stats = await api.get('/v2.1/os-hypervisors/statistics');
      expect(stats.body.hypervisor_statistics.count).toBe(2);
      const shown = await api.get(`/v2.1/os-hypervisors/${nodes['compute2']?.uuid}`, {
        version: '2.53',
      });
      expect(shown.status).toBe(200);
    });
  });
});
