import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CellRouter } from '@nova/cell-router';
import { Instance, Service } from '@nova/cells/db';
import { adminContext, sleep } from '@nova/common';
import { SchedulerClient, type WireRequestSpec } from '@nova/compute-rpc';
import { openTransport, type RpcTransport } from '@nova/rpc';
import { writeConfigFile, type Sections } from '../support/config';
import { TestDeployment } from '../support/deployment';
import { query } from '../support/mysql';
import { ServiceProcess } from '../support/service-process';

/** Until `fn` returns a value that is not undefined (or `timeoutMs` passes). */
async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await fn();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${what}: not within ${timeoutMs} ms`);
    }
    await sleep(100);
  }
}

const HOSTS = ['cmp-a', 'cmp-b-1', 'cmp-b-2'];

/**
 * One cell on MariaDB + RabbitMQ (a vhost for the API level, one for cell1), with
 * every service as its own process: `nova-conductor --super` and `nova-scheduler`
 * on the API-level vhost, `nova-conductor` on cell1's vhost, and two
 * `nova-compute` processes (fake driver; one host, and two hosts in one process)
 * whose config has no database at all.
 */
describe('the conductor, scheduler and compute processes', () => {
  let deployment: TestDeployment;
  let cell1Uuid: string;
  const services: ServiceProcess[] = [];
  const byRole = new Map<string, ServiceProcess>();
  let apiMq: RpcTransport | undefined;

  const apiDb = () => deployment.dbName('api');
  const cellDb = () => deployment.dbName('cell1');

  beforeAll(async () => {
    deployment = await TestDeployment.create({
      backend: 'mariadb',
      vhosts: true,
      redis: true,
      cells: ['cell1'],
      extra: {
        DEFAULT: { report_interval: '1', service_down_time: '5', rpc_response_timeout: '10' },
        scheduler: { discover_hosts_in_cells_interval: '1' },
        compute: { sync_power_state_interval: '0', build_timeout_on_down_host: '1' },
        fake_driver: { vcpus: '8', memory_mb: '16384', local_gb: '200' },
      },
    });
    const cell1 = deployment.cellUrls.get('cell1')!;
    const conf = ['--config-file', deployment.configFile()];
    // The computes' file: their cell's queue and the driver; no database, no API database, no cache.
    const computeSections: Sections = {
      // A first report that waited for its full rpc_response_timeout would miss the start-up wait.
      DEFAULT: { transport_url: cell1.mq, report_interval: '1', rpc_response_timeout: '30' },
      compute: { compute_driver: 'fake.FakeDriver', sync_power_state_interval: '0' },
      fake_driver: { vcpus: '8', memory_mb: '16384', local_gb: '200' },
    };
    const computeConf = [
      '--config-file',
      writeConfigFile(computeSections, mkdtempSync(join(tmpdir(), 'nova-compute-'))),
    ];
    const start = (name: string, args: string[], env: Record<string, string>) => {
      const service = new ServiceProcess(name, args, env);
      services.push(service);
      return service;
    };
    const ready = (l: { msg: string }) => /^nova-[a-z]+ ready$/.test(l.msg);
    // One compute starts first, before its cell's queue has any conductor: its
    // first report waits in the queue, so processes can start in any order.
    byRole.set('compute-a', start('nova-compute', computeConf, { OS_DEFAULT__HOST: 'cmp-a' }));
    byRole.set('super', start('nova-conductor', [...conf, '--super'], { OS_DEFAULT__HOST: 'ctl' }));
    byRole.set('scheduler', start('nova-scheduler', conf, { OS_DEFAULT__HOST: 'ctl' }));
    await sleep(1000);
    byRole.set(
      'cell',
      start('nova-conductor', conf, {
        OS_DATABASE__CONNECTION: cell1.db,
        OS_DEFAULT__HOST: 'cell1-conductor',
      }),
    );
    byRole.set(
      'compute-b',
      start('nova-compute', computeConf, {
        OS_DEFAULT__HOST: 'cmp-b',
        OS_FAKE_DRIVER__HOST_COUNT: '2',
      }),
    );
    await Promise.all([...byRole.values()].map((s) => s.waitFor(ready)));
    const [row] = await query<{ uuid: string }>(
      apiDb(),
      "SELECT uuid FROM cell_mappings WHERE name = 'cell1'",
    );
    cell1Uuid = row.uuid;
  }, 60_000);

  afterAll(async () => {
    await apiMq?.close();
    const codes = await Promise.all(services.map((s) => s.stop()));
    await deployment.cleanup();
    expect(codes).toEqual(services.map(() => 0)); // every process shuts down cleanly
  });

  it('each process serves on its own vhost: the API level, or the cell', () => {
    const transport = (role: string, msg: string) =>
      byRole.get(role)!.lines.find((l) => l.msg === msg)?.['transport'];
    const api = `/${deployment.id}_api`;
    const cell = `/${deployment.id}_cell1`;
    expect(transport('super', 'super conductor serving')).toMatch(new RegExp(`${api}$`));
    expect(transport('scheduler', 'scheduler serving')).toMatch(new RegExp(`${api}$`));
    expect(transport('cell', 'cell conductor started')).toMatch(new RegExp(`${cell}$`));
    expect(transport('compute-a', 'compute hosts started')).toMatch(new RegExp(`${cell}$`));
    const hosts = byRole.get('compute-b')!.lines.find((l) => l.msg === 'compute hosts started');
    expect(hosts?.['hosts']).toEqual(['cmp-b-1', 'cmp-b-2']);
  });

  it('computes heartbeat into their cell and register their nodes, through the cell conductor', async () => {
    const first = await eventually('three compute services', async () => {
      const rows = await query<{ host: string; report_count: number }>(
        cellDb(),
        "SELECT host, report_count FROM services WHERE `binary` = 'nova-compute' AND deleted = 0 ORDER BY host",
      );
      return rows.length === 3 ? rows : undefined;
    });
    expect(first.map((r) => r.host)).toEqual(HOSTS);
    // The heartbeat goes on every report_interval (1 s).
    await eventually('heartbeats advancing', async () => {
      const rows = await query<{ host: string; report_count: number }>(
        cellDb(),
        "SELECT host, report_count FROM services WHERE `binary` = 'nova-compute' AND deleted = 0 ORDER BY host",
      );
      return rows.every((r, i) => r.report_count > first[i].report_count) ? true : undefined;
    });
    const nodes = await query<{ host: string; hypervisor_hostname: string; vcpus: number }>(
      cellDb(),
      'SELECT host, hypervisor_hostname, vcpus FROM compute_nodes WHERE deleted = 0 ORDER BY host',
    );
    expect(nodes).toEqual(HOSTS.map((h) => ({ host: h, hypervisor_hostname: h, vcpus: 8 })));
    // Only the cell conductor writes here: the computes' config names no database.
    const conductors = await query<{ host: string }>(
      cellDb(),
      "SELECT host FROM services WHERE `binary` = 'nova-conductor' AND deleted = 0",
    );
    expect(conductors.map((r) => r.host)).toEqual(['cell1-conductor']);
  });

  it('the super conductor and the scheduler heartbeat in the cell of their [database] connection (cell0)', async () => {
    const rows = await eventually('API-level services in cell0', async () => {
      const found = await query<{ host: string; binary: string }>(
        deployment.dbName('cell0'),
        'SELECT host, `binary` FROM services WHERE deleted = 0 ORDER BY `binary`',
      );
      return found.length === 2 ? found : undefined;
    });
    expect(rows).toEqual([
      { host: 'ctl', binary: 'nova-conductor' },
      { host: 'ctl', binary: 'nova-scheduler' },
    ]);
  });

  it('the scheduler discovers the hosts periodically (host mappings in cell1)', async () => {
    const mapped = await eventually('three host mappings', async () => {
      const rows = await query<{ host: string; cell: string }>(
        apiDb(),
        'SELECT h.host AS host, c.name AS cell FROM host_mappings h JOIN cell_mappings c ON c.id = h.cell_id ORDER BY h.host',
      );
      return rows.length === 3 ? rows : undefined;
    });
    expect(mapped).toEqual(HOSTS.map((host) => ({ host, cell: 'cell1' })));
    const unmapped = await query<{ n: number }>(
      cellDb(),
      'SELECT COUNT(*) AS n FROM compute_nodes WHERE mapped = 0 AND deleted = 0',
    );
    expect(Number(unmapped[0].n)).toBe(0);
  });

  it('resource providers get the nodes inventories', async () => {
    const inventories = await eventually('inventories of three providers', async () => {
      const rows = await query<{ name: string; rc: string; total: number }>(
        apiDb(),
        'SELECT p.name AS name, rc.name AS rc, i.total AS total FROM inventories i ' +
          'JOIN resource_providers p ON p.id = i.resource_provider_id ' +
          'JOIN resource_classes rc ON rc.id = i.resource_class_id ORDER BY p.name, rc.name',
      );
      return rows.length === 9 ? rows : undefined;
    });
    expect(inventories).toEqual(
      HOSTS.flatMap((name) => [
        { name, rc: 'DISK_GB', total: 200 },
        { name, rc: 'MEMORY_MB', total: 16384 },
        { name, rc: 'VCPU', total: 8 },
      ]),
    );
    // The provider of each node is the node itself (its uuid).
    const nodes = await query<{ uuid: string }>(
      cellDb(),
      'SELECT uuid FROM compute_nodes WHERE deleted = 0',
    );
    const providers = await query<{ uuid: string }>(apiDb(), 'SELECT uuid FROM resource_providers');
    expect(providers.map((p) => p.uuid).sort()).toEqual(nodes.map((n) => n.uuid).sort());
  });

  it('select_destinations over the API-level queue returns a claimed host', async () => {
    await eventually('three hosts mapped', async () => {
      const [row] = await query<{ n: number }>(apiDb(), 'SELECT COUNT(*) AS n FROM host_mappings');
      return Number(row?.n) === 3 ? true : undefined;
    });
    apiMq = await openTransport(deployment.sections['DEFAULT']['transport_url'], 5000);
    const scheduler = new SchedulerClient(apiMq, 10_000);
    const instance = randomUUID();
    const spec: WireRequestSpec = {
      instance_uuids: [instance],
      project_id: 'project-a',
      user_id: 'user-a',
      flavor: {
        id: 1,
        flavorid: '1',
        name: 'm1.tiny',
        vcpus: 1,
        memory_mb: 512,
        root_gb: 1,
        ephemeral_gb: 0,
        swap: 0,
        extra_specs: {},
      },
      image: { id: randomUUID(), name: 'cirros', min_disk: 0, min_ram: 0, properties: {} },
      availability_zone: null,
      scheduler_hints: {},
      group: null,
      requested_host: null,
      requested_node: null,
      ignore_hosts: [],
    };
    const destinations = await scheduler.selectDestinations(adminContext(), spec);
    expect(destinations).toHaveLength(1);
    const [selected, ...alternates] = destinations[0];
    expect(HOSTS).toContain(selected.host);
    expect(selected).toMatchObject({ cell_uuid: cell1Uuid, nodename: selected.host });
    expect(alternates.length).toBe(2); // max_attempts 3: two alternates in the same cell
    const claimed = await query<{ provider: string; rc: string; used: number }>(
      apiDb(),
      'SELECT p.uuid AS provider, rc.name AS rc, a.used AS used FROM allocations a ' +
        'JOIN resource_providers p ON p.id = a.resource_provider_id ' +
        'JOIN resource_classes rc ON rc.id = a.resource_class_id WHERE a.consumer_id = ? ORDER BY rc.name',
      [instance],
    );
    expect(claimed).toEqual([
      { provider: selected.provider_uuid, rc: 'DISK_GB', used: 1 },
      { provider: selected.provider_uuid, rc: 'MEMORY_MB', used: 512 },
      { provider: selected.provider_uuid, rc: 'VCPU', used: 1 },
    ]);
  });

  it('the cell conductor puts a build stranded on a dead host in ERROR with a fault', async () => {
    const router = (await deployment.app()).get(CellRouter);
    const ds = await router.targetCell(adminContext(), await router.cell(cell1Uuid)).cell.db();
    const longAgo = new Date(Date.now() - 24 * 3600 * 1000);
    await ds.getRepository(Service).save({
      uuid: randomUUID(),
      host: 'dead-host',
      binary: 'nova-compute',
      topic: 'compute',
      report_count: 3,
      disabled: false,
      forced_down: false,
      last_seen_up: longAgo,
      deleted: 0,
    });
    const uuid = randomUUID();
    const alive = randomUUID();
    for (const [id, host] of [
      [uuid, 'dead-host'],
      [alive, 'cmp-a'],
    ] as const) {
      await ds.getRepository(Instance).save({
        uuid: id,
        project_id: 'project-a',
        user_id: 'user-a',
        vm_state: 'building',
        task_state: 'spawning',
        host,
        node: host,
        created_at: longAgo,
        updated_at: longAgo,
        deleted: 0,
      });
    }
    // The fault is written last (after the claim is released): wait for it.
    const faults = await eventually('the stranded build’s fault', async () => {
      const rows = await query<{ code: number; message: string; host: string }>(
        cellDb(),
        'SELECT code, message, host FROM instance_faults WHERE instance_uuid = ?',
        [uuid],
      );
      return rows.length > 0 ? rows : undefined;
    });
    const [reaped] = await query<{ vm_state: string; task_state: string | null }>(
      cellDb(),
      'SELECT vm_state, task_state FROM instances WHERE uuid = ?',
      [uuid],
    );
    expect(reaped).toEqual({ vm_state: 'error', task_state: null });
    expect(faults).toEqual([
      {
        code: 500,
        message: 'Compute host dead-host went down during the build',
        host: 'dead-host',
      },
    ]);
    // A build on a live host is left alone.
    const [other] = await query<{ vm_state: string }>(
      cellDb(),
      'SELECT vm_state FROM instances WHERE uuid = ?',
      [alive],
    );
    expect(other.vm_state).toBe('building');
  });
});
