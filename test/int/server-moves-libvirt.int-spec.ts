import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@nova/common';
import { Cloud } from '../support/cloud';

/**
 * Moves between two libvirt hosts (test:///default, one hypervisor per
 * nova-compute process, each with its own state path) across real processes:
 * a resize confirmed and one reverted, and a live migration the driver
 * cannot do, rolled back.
 */
describe('server moves between libvirt hosts (separate processes)', () => {
  let cloud: Cloud;
  /** libvirt's test driver reports an i686 host: the image filters need an i686 image. */
  const imageRef = '6f1a8e1c-4a63-4d8e-9b7e-1f0d2c3b4a71';
  const hosts = ['lv-a', 'lv-b'];
  const member = { as: 'member' as const };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nova-lv-moves-'));
    const catalog = join(dir, 'images.json');
    writeFileSync(
      catalog,
      JSON.stringify([
        { id: imageRef, name: 'cirros-i686', status: 'active', architecture: 'i686' },
      ]),
    );
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 0,
      extra: {
        quota: { instances: '-1', cores: '-1', ram: '-1' },
        glance: { local_catalog: catalog },
      },
    });
    for (const host of hosts) {
      cloud.startCompute('cell1', host, {
        OS_COMPUTE__COMPUTE_DRIVER: 'libvirt.LibvirtDriver',
        OS_LIBVIRT__CONNECTION_URI: 'test:///default',
        OS_DEFAULT__STATE_PATH: mkdtempSync(join(dir, `${host}-`)),
      });
    }
    await cloud.waitForHosts(2);
    for (const [id, ram] of [
      ['lv-small', 256],
      ['lv-big', 512],
    ] as const) {
      const res = await cloud.api.post('/v2.1/flavors', {
        flavor: { name: id, id, vcpus: 1, ram, disk: 1 },
      });
      expect(res.status).toBe(200);
    }
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  const boot = async (name: string) => {
    const res = await cloud.api.post(
      '/v2.1/servers',
      { server: { name, imageRef, flavorRef: 'lv-small', networks: 'none' } },
      { ...member, version: '2.37' },
    );
    expect(res.status === 202 ? 202 : res.text).toBe(202);
    const id = res.body.server.id as string;
    await idle(id, 'ACTIVE');
    return id;
  };
  const act = (id: string, body: unknown, version = '2.1', as: 'member' | 'admin' = 'member') =>
    cloud.api.post(`/v2.1/servers/${id}/action`, body, { as, version });
  const idle = (id: string, status: string) =>
    cloud.waitForServer(
      id,
      (s) => s.status === status && s['OS-EXT-STS:task_state'] === null,
      30_000,
    );
  const hostOf = async (id: string) =>
    (await cloud.api.get(`/v2.1/servers/${id}`)).body.server['OS-EXT-SRV-ATTR:host'] as string;
  const migrationOf = async (id: string, status: string) => {
    for (let i = 0; i < 600; i++) {
      const res = await cloud.api.get(`/v2.1/os-migrations?instance_uuid=${id}`);
      const [m] = res.body.migrations as Array<Record<string, any>>;
      if (m?.status === status) {
        return m;
      }
      await sleep(50);
    }
    throw new Error(`no ${status} migration for ${id}\n${cloud.problems()}`);
  };
  const diagnostics = async (id: string) =>
    (await cloud.api.get(`/v2.1/servers/${id}/diagnostics`, { version: '2.48' })).body;

  it('resizes onto the other libvirt host and confirms', async () => {
    const id = await boot('lv-resize');
    const source = await hostOf(id);
    expect((await act(id, { resize: { flavorRef: 'lv-big' } })).status).toBe(202);
    const resized = await idle(id, 'VERIFY_RESIZE');
    expect(resized['OS-EXT-SRV-ATTR:host']).toBe(hosts.find((h) => h !== source));
    // The destination's domain has the new flavor's memory.
    expect((await diagnostics(id)).memory_details.maximum).toBe(512);
    expect((await act(id, { confirmResize: null })).status).toBe(204);
    await idle(id, 'ACTIVE');
    await migrationOf(id, 'confirmed');
  });

  it('reverts a cold migration: the source defines the old domain again', async () => {
    const id = await boot('lv-revert');
    const source = await hostOf(id);
    expect((await act(id, { migrate: null }, '2.1', 'admin')).status).toBe(202);
    await idle(id, 'VERIFY_RESIZE');
    expect(await hostOf(id)).not.toBe(source);
    expect((await act(id, { revertResize: null })).status).toBe(202);
    await idle(id, 'ACTIVE');
    await migrationOf(id, 'reverted');
    expect(await hostOf(id)).toBe(source);
    expect((await diagnostics(id)).state).toBe('running');
  });

  it('rolls back a live migration the driver cannot do', async () => {
    const id = await boot('lv-live');
    const source = await hostOf(id);
    const res = await act(
      id,
      { 'os-migrateLive': { host: null, block_migration: 'auto' } },
      '2.25',
      'admin',
    );
    expect(res.status).toBe(202);
    await migrationOf(id, 'error');
    await idle(id, 'ACTIVE');
    expect(await hostOf(id)).toBe(source);
    const actions = (await cloud.api.get(`/v2.1/servers/${id}/os-instance-actions`)).body
      .instanceActions as Array<{ action: string; request_id: string }>;
    const live = actions.find((a) => a.action === 'live-migration')!;
    const events = (
      await cloud.api.get(`/v2.1/servers/${id}/os-instance-actions/${live.request_id}`, {
        version: '2.84',
      })
    ).body.instanceAction.events as Array<{ event: string; result: string; details: string }>;
    expect(events.find((e) => e.event === 'compute_live_migration')).toMatchObject({
      result: 'Error',
      details: expect.stringMatching(/virDomainMigrateToURI3/),
    });
  });
});
