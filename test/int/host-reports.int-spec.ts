import { CellRouter } from '@nova/cell-router';
import { ComputeNode, HostReports, Service, type WrittenNode } from '@nova/cells/db';
import { adminContext } from '@nova/common';
import type { ComputeNodeReport } from '@nova/compute-rpc';
import type { DataSource } from 'typeorm';
import { TestDeployment, type Backend } from '../support/deployment';

/**
 * What a cell conductor writes for every compute report (every report_interval
 * per host, the bulk of an idle cell's work): a heartbeat is one UPDATE, and a
 * node report that changed nothing writes nothing until its refresh is due.
 */
describe.each<Backend>(['mariadb', 'sqlite'])('host reports (%s)', (backend) => {
  let d: TestDeployment;
  let ds: DataSource;
  let reports: HostReports;
  const OLD = new Date('2020-01-01T00:00:00Z');

  beforeAll(async () => {
    d = await TestDeployment.create({ backend, cells: ['cell1'] });
    const router = (await d.app()).get(CellRouter);
    const cell = (await router.cells()).find((c) => c.name === 'cell1')!;
    ds = await router.targetCell(adminContext(), cell).cell.db();
    reports = new HostReports(ds);
  });

  afterAll(async () => {
    await d.cleanup();
  });

  const report = (host: string, vcpus = 8): ComputeNodeReport => ({
    host,
    hypervisor_hostname: `${host}.example`,
    hypervisor_type: 'fake',
    hypervisor_version: 1000,
    vcpus,
    memory_mb: 8192,
    local_gb: 100,
    cpu_info: '{}',
    host_ip: '192.0.2.1',
  });
  const liveNodes = (host: string) => ds.getRepository(ComputeNode).findBy({ host, deleted: 0 });
  /** A service id provider that counts how often a write needed it. */
  const serviceOf = (id: number) => {
    const asked = { count: 0, id: async () => (asked.count++, id) };
    return asked;
  };

  it('registers a service on its first heartbeat, then only counts beats', async () => {
    expect(await reports.heartbeat('hr-beat', 'nova-compute', 'compute')).toBe(true);
    expect(await reports.heartbeat('hr-beat', 'nova-compute', 'compute')).toBe(false);
    expect(await reports.heartbeat('hr-beat', 'nova-compute', 'compute')).toBe(false);
    const rows = await ds.getRepository(Service).findBy({ host: 'hr-beat', deleted: 0 });
    expect(rows).toHaveLength(1);
    expect(rows[0].report_count).toBe(3);
  });

  it('a deleted service registers again at its next heartbeat', async () => {
    await reports.heartbeat('hr-gone', 'nova-compute', 'compute');
    await ds.getRepository(Service).update({ host: 'hr-gone' }, { deleted: 1 });
    expect(await reports.heartbeat('hr-gone', 'nova-compute', 'compute')).toBe(true);
    expect(await ds.getRepository(Service).countBy({ host: 'hr-gone', deleted: 0 })).toBe(1);
  });

  it('writes a node once, skips an unchanged report, writes a changed one in place', async () => {
    const service = serviceOf(7);
    const first = await reports.computeNode(report('hr-node'), service.id, undefined, 60_000);
    expect(service.count).toBe(1);
    // Aged by hand: an unchanged report within the refresh must leave it as it is.
    await ds.getRepository(ComputeNode).update({ id: first.id }, { updated_at: OLD });

    const same = await reports.computeNode(report('hr-node'), service.id, first, 60_000);
    expect(same).toBe(first);
    expect(service.count).toBe(1);
    let [row] = await liveNodes('hr-node');
    expect(row.updated_at).toEqual(OLD);

    const grown = await reports.computeNode(report('hr-node', 16), service.id, same, 60_000);
    expect(grown.id).toBe(first.id);
    expect(grown.uuid).toBe(first.uuid);
    [row] = await liveNodes('hr-node');
    expect(row).toMatchObject({ vcpus: 16, service_id: 7, uuid: first.uuid });
    expect(row.updated_at!.getTime()).toBeGreaterThan(OLD.getTime());
  });

  it('writes an unchanged report again once its refresh is due', async () => {
    const service = serviceOf(8);
    const first = await reports.computeNode(report('hr-refresh'), service.id, undefined, 60_000);
    await ds.getRepository(ComputeNode).update({ id: first.id }, { updated_at: OLD });
    const due: WrittenNode = { ...first, at: Date.now() - 60_001 };
    const again = await reports.computeNode(report('hr-refresh'), service.id, due, 60_000);
    expect(again).not.toBe(due);
    expect(service.count).toBe(2);
    const [row] = await liveNodes('hr-refresh');
    expect(row.updated_at!.getTime()).toBeGreaterThan(OLD.getTime());
  });

  it('a node deleted behind the writer comes back as a new row when written', async () => {
    const service = serviceOf(9);
    const first = await reports.computeNode(report('hr-deleted'), service.id, undefined, 60_000);
    await ds.getRepository(ComputeNode).update({ id: first.id }, { deleted: first.id });
    const back = await reports.computeNode(report('hr-deleted'), service.id, first, 0);
    expect(back.id).not.toBe(first.id);
    const rows = await liveNodes('hr-deleted');
    expect(rows.map((r) => r.uuid)).toEqual([back.uuid]);
  });
});
