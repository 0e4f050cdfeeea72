import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@nova/common';
import type { Persona } from '../support/api-client';
import { Cloud } from '../support/cloud';
import { query } from '../support/mysql';

/**
 * Snapshots, backups and shelving across real processes (MariaDB, RabbitMQ,
 * Redis; one cell, three fake computes and a libvirt one on test:///default)
 * with the local image catalog: its snapshot records live under the state path
 * every process shares. The fake computes differ only in `[DEFAULT]
 * shelved_offload_time`: `cell1-keep` never offloads (-1), `cell1-now` at once
 * (0), `cell1-later` after 2 s (a periodic task, polled every second). Admins
 * place servers on a host with `availability_zone: nova:<host>`; the failure
 * paths (fake driver patterns) run on fake hosts.
 */
describe('server snapshots and shelving (separate processes, local catalog)', () => {
  let cloud: Cloud;
  const imageRef = '7a1a8e1c-4a63-4d8e-9b7e-1f0d2c3b4a61';
  /** Its snapshots fail on every host ([fake_driver] fail_snapshot_pattern). */
  const fragileImage = '7a1a8e1c-4a63-4d8e-9b7e-1f0d2c3b4a62';
  /** No architecture: the libvirt test hypervisor (i686) takes it; the others do not matter. */
  const anyArchImage = '7a1a8e1c-4a63-4d8e-9b7e-1f0d2c3b4a63';
  const flavorRef = 'snap-tiny';
  type Who = Persona | { token: string; roles?: string };

  beforeAll(async () => {
    const catalog = join(mkdtempSync(join(tmpdir(), 'nova-images-')), 'images.json');
    writeFileSync(
      catalog,
      JSON.stringify([
        {
          id: imageRef,
          name: 'cirros',
          status: 'active',
          architecture: 'x86_64',
          min_ram: 64,
          os_distro: 'cirros',
          bittorrent: 'not-inherited',
        },
        { id: fragileImage, name: 'cirros-fragile', status: 'active', architecture: 'x86_64' },
        { id: anyArchImage, name: 'cirros-any', status: 'active' },
      ]),
    );
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 0,
      extra: {
        glance: { local_catalog: catalog },
        fake_driver: {
          fail_snapshot_pattern: 'fragile',
          fail_spawn_pattern: '^doomed.*-shelved$',
          spawn_delay_ms: '0',
        },
        DEFAULT: { shelved_poll_interval: '1' },
      },
    });
    const offload: Record<string, string> = {
      'cell1-keep': '-1',
      'cell1-now': '0',
      'cell1-later': '2',
    };
    for (const [host, time] of Object.entries(offload)) {
      cloud.startCompute('cell1', host, { OS_DEFAULT__SHELVED_OFFLOAD_TIME: time });
    }
    cloud.startCompute('cell1', 'cell1-libvirt', {
      OS_COMPUTE__COMPUTE_DRIVER: 'libvirt.LibvirtDriver',
      OS_LIBVIRT__CONNECTION_URI: 'test:///default',
      OS_DEFAULT__SHELVED_OFFLOAD_TIME: '-1',
    });
    await cloud.waitForHosts(4);
    const flavor = await cloud.api.post('/v2.1/flavors', {
      flavor: { name: flavorRef, id: flavorRef, vcpus: 1, ram: 256, disk: 1 },
    });
    expect(flavor.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  /** Boot and wait for ACTIVE; admins may name the host. */
  const boot = async (
    name: string,
    options: { as?: Who; host?: string; image?: string } = {},
  ): Promise<string> => {
    const res = await cloud.api.post(
      '/v2.1/servers',
      {
        server: {
          name,
          imageRef: options.image ?? imageRef,
          flavorRef,
          ...(options.host ? { availability_zone: `nova:${options.host}` } : {}),
        },
      },
      { as: options.as ?? (options.host ? 'admin' : 'member') },
    );
    expect(res.status === 202 ? 202 : res.text).toBe(202);
    const id = res.body.server.id as string;
    await cloud.waitForServer(id, (s) => s.status === 'ACTIVE');
    return id;
  };
  const act = (id: string, body: unknown, version = '2.1', as: Who = 'admin') =>
    cloud.api.post(`/v2.1/servers/${id}/action`, body, { as, version });
  const idle = (id: string, status: string, timeoutMs?: number) =>
    cloud.waitForServer(
      id,
      (s) => s.status === status && s['OS-EXT-STS:task_state'] === null,
      timeoutMs,
    );
  const image = (id: string, as: Who = 'admin') => cloud.api.get(`/v2.1/images/${id}`, { as });
  const imagesOf = async (server: string, type?: string) =>
    (await cloud.api.get(`/v2.1/images/detail?server=${server}${type ? `&type=${type}` : ''}`)).body
      .images as Array<Record<string, any>>;
  const allocations = async (uuid: string) =>
    Number(
      (
        await query<{ n: number }>(
          cloud.deployment.dbName('api'),
          'SELECT COUNT(*) AS n FROM allocations WHERE consumer_id = ?',
          [uuid],
        )
      )[0]?.n,
    );
  const faults = (uuid: string) =>
    query<{ message: string }>(
      cloud.deployment.dbName('cell1'),
      'SELECT message FROM instance_faults WHERE instance_uuid = ? ORDER BY id',
      [uuid],
    );
  /** The events of the server's latest `action` once its `event` has a result. */
  const finishedEvent = async (uuid: string, action: string, event: string) => {
    for (let i = 0; i < 200; i++) {
      const actions = (await cloud.api.get(`/v2.1/servers/${uuid}/os-instance-actions`)).body
        .instanceActions as Array<{ action: string; request_id: string }>;
      const found = actions.find((a) => a.action === action);
      if (found) {
        const detail = (
          await cloud.api.get(`/v2.1/servers/${uuid}/os-instance-actions/${found.request_id}`, {
            version: '2.51',
          })
        ).body.instanceAction as { events: Array<{ event: string; result: string | null }> };
        const e = detail.events.find((x) => x.event === event);
        if (e?.result) {
          return { result: e.result, events: detail.events.map((x) => x.event) };
        }
      }
      await sleep(50);
    }
    throw new Error(`no finished ${event} of ${action} on ${uuid}`);
  };
  const limits = async (as: Who = 'admin') =>
    (await cloud.api.get('/v2.1/limits', { as })).body.limits.absolute as Record<string, number>;

  it("createImage: Location until 2.44, image_id from 2.45; the image has Nova's properties", async () => {
    const id = await boot('snap-me');
    const res = await act(
      id,
      { createImage: { name: 'snap-1', metadata: { purpose: 'test' } } },
      '2.1',
      'member',
    );
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    const location = String(res.headers['location']);
    expect(location).toMatch(/\/v2\.1\/images\/[0-9a-f-]{36}$/);
    const imageId = location.split('/').pop()!;
    await idle(id, 'ACTIVE');
    expect(await finishedEvent(id, 'createImage', 'compute_snapshot_instance')).toMatchObject({
      result: 'Success',
    });
    const shown = await image(imageId, 'member');
    expect(shown.status).toBe(200);
    expect(shown.body.image).toMatchObject({
      id: imageId,
      name: 'snap-1',
      status: 'ACTIVE',
      minDisk: 1,
      minRam: 64,
      metadata: {
        instance_uuid: id,
        image_type: 'snapshot',
        base_image_ref: imageRef,
        user_id: 'demo',
        architecture: 'x86_64',
        os_distro: 'cirros',
        purpose: 'test',
      },
    });
    expect(shown.body.image.metadata).not.toHaveProperty('bittorrent');
    expect(shown.body.image['OS-EXT-IMG-SIZE:size']).toBeGreaterThan(0);
    // A private image of the member's project.
    expect((await image(imageId, 'other')).status).toBe(404);

    const latest = await act(id, { createImage: { name: 'snap-2' } }, '2.45', 'member');
    expect(latest.status).toBe(202);
    expect(latest.headers['location']).toBeUndefined();
    expect(latest.body).toEqual({ image_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    await idle(id, 'ACTIVE');
    expect((await image(latest.body.image_id as string)).body.image.status).toBe('ACTIVE');
    expect((await imagesOf(id, 'snapshot')).map((i) => i.name).sort()).toEqual([
      'snap-1',
      'snap-2',
    ]);
  });

  it('a failed snapshot leaves no image: the server is as it was, the event is Error', async () => {
    const id = await boot('fragile', { image: fragileImage, host: 'cell1-keep' });
    const res = await act(id, { createImage: { name: 'never' } }, '2.45');
    expect(res.status).toBe(202);
    const imageId = res.body.image_id as string;
    expect(await finishedEvent(id, 'createImage', 'compute_snapshot_instance')).toMatchObject({
      result: 'Error',
    });
    const server = await idle(id, 'ACTIVE');
    expect(server['OS-EXT-STS:power_state']).toBe(1);
    expect((await image(imageId)).status).toBe(404);
    expect(await imagesOf(id)).toEqual([]);
    expect((await faults(id)).map((f) => f.message)).toEqual([
      expect.stringMatching(/Injected snapshot failure/),
    ]);
  });

  it('409 in states Nova refuses, and nothing is left behind', async () => {
    const id = await boot('refused');
    expect((await act(id, { rescue: null }, '2.1', 'member')).status).toBe(200);
    await idle(id, 'RESCUE');
    for (const body of [
      { createImage: { name: 'x' } },
      { createBackup: { name: 'x', backup_type: 'daily', rotation: 1 } },
      { shelve: null },
    ]) {
      const res = await act(id, body, '2.1', 'member');
      expect(res.status).toBe(409);
      expect(res.body.conflictingRequest.message).toBe(
        `Cannot '${Object.keys(body)[0]}' instance ${id} while it is in vm_state rescued`,
      );
    }
    expect((await act(id, { unrescue: null }, '2.1', 'member')).status).toBe(202);
    await idle(id, 'ACTIVE');
    for (const name of ['shelveOffload', 'unshelve']) {
      const res = await act(id, { [name]: null });
      expect(res.status).toBe(409);
      expect(res.body.conflictingRequest.message).toBe(
        `Cannot '${name}' instance ${id} while it is in vm_state active`,
      );
    }
    expect(await imagesOf(id)).toEqual([]);
    // Nova checks the lock for shelve, not for a snapshot.
    expect((await act(id, { lock: null }, '2.1', 'member')).status).toBe(202);
    expect((await act(id, { shelve: null }, '2.1', 'member')).body).toEqual({
      conflictingRequest: { code: 409, message: `Instance ${id} is locked` },
    });
    expect((await act(id, { createImage: { name: 'while-locked' } }, '2.1', 'member')).status).toBe(
      202,
    );
    await idle(id, 'ACTIVE');
    // Policies: shelveOffload and unshelve to a host are admins'; backups are the member's.
    expect((await act(id, { shelveOffload: null }, '2.1', 'member')).status).toBe(403);
    expect((await act(id, { unshelve: { host: 'cell1-keep' } }, '2.91', 'member')).status).toBe(
      403,
    );
    expect(
      (
        await act(id, { createBackup: { name: 'b', backup_type: 'daily', rotation: 1 } }, '2.1', {
          token: 'reader:demo',
          roles: 'reader',
        })
      ).status,
    ).toBe(403);
  });

  it('createBackup keeps the newest `rotation` backups of its type', async () => {
    const id = await boot('backed-up');
    const backup = async (name: string, type: string, rotation: number, version = '2.1') => {
      const res = await act(
        id,
        { createBackup: { name, backup_type: type, rotation, metadata: { who: 'test' } } },
        version,
        'member',
      );
      expect(res.status).toBe(202);
      await idle(id, 'ACTIVE');
      await finishedEvent(id, 'createBackup', 'compute_backup_instance');
      return res;
    };
    const first = await backup('daily-1', 'daily', 2);
    expect(String(first.headers['location'])).toMatch(/\/v2\.1\/images\/[0-9a-f-]{36}$/);
    await backup('daily-2', 'daily', 2);
    await backup('daily-3', 'daily', 2);
    await backup('weekly-1', 'weekly', 1);
    const backups = await imagesOf(id, 'backup');
    expect(backups.map((i) => i.name).sort()).toEqual(['daily-2', 'daily-3', 'weekly-1']);
    expect(backups.find((i) => i.name === 'daily-3')?.metadata).toMatchObject({
      image_type: 'backup',
      backup_type: 'daily',
      instance_uuid: id,
      base_image_ref: imageRef,
      who: 'test',
    });
    // Rotation 0: no Location, and every daily backup goes, the new one too (as Nova).
    const zero = await backup('daily-4', 'daily', 0);
    expect(zero.headers['location']).toBeUndefined();
    expect((await imagesOf(id, 'backup')).map((i) => i.name)).toEqual(['weekly-1']);
    const latest = await backup('weekly-2', 'weekly', 1, '2.45');
    expect(latest.body).toEqual({ image_id: expect.any(String) });
    expect((await imagesOf(id, 'backup')).map((i) => i.id)).toEqual([latest.body.image_id]);
  });

  it('shelve with shelved_offload_time = 0 offloads at once; unshelve schedules it again', async () => {
    const id = await boot('shelve-now', { host: 'cell1-now' });
    const before = await limits();
    expect(await allocations(id)).toBeGreaterThan(0);
    expect((await act(id, { shelve: null })).status).toBe(202);
    const offloaded = await idle(id, 'SHELVED_OFFLOADED');
    expect(offloaded).toMatchObject({
      'OS-EXT-SRV-ATTR:host': null,
      'OS-EXT-SRV-ATTR:hypervisor_hostname': null,
      'OS-EXT-STS:vm_state': 'shelved_offloaded',
      'OS-EXT-STS:power_state': 4,
    });
    expect(await allocations(id)).toBe(0);
    // Nova's placement counting: still an instance, no longer cores or RAM.
    const after = await limits();
    expect(after['totalInstancesUsed']).toBe(before['totalInstancesUsed']);
    expect(after['totalCoresUsed']).toBe(before['totalCoresUsed'] - 1);
    expect(after['totalRAMUsed']).toBe(before['totalRAMUsed'] - 256);
    const [shelveImage] = await imagesOf(id);
    expect(shelveImage).toMatchObject({
      name: 'shelve-now-shelved',
      status: 'ACTIVE',
      metadata: { image_type: 'snapshot', instance_uuid: id, base_image_ref: imageRef },
    });
    expect(await finishedEvent(id, 'shelve', 'compute_shelve_instance')).toMatchObject({
      result: 'Success',
    });

    expect((await act(id, { unshelve: null })).status).toBe(202);
    const back = await idle(id, 'ACTIVE');
    expect(back['OS-EXT-SRV-ATTR:host']).toMatch(/^cell1-/);
    expect(back['OS-EXT-STS:power_state']).toBe(1);
    expect(await allocations(id)).toBeGreaterThan(0);
    expect(await limits()).toMatchObject({
      totalInstancesUsed: before['totalInstancesUsed'],
      totalCoresUsed: before['totalCoresUsed'],
    });
    const unshelved = await finishedEvent(id, 'unshelve', 'compute_unshelve_instance');
    expect(unshelved.result).toBe('Success');
    expect(unshelved.events).toEqual(
      expect.arrayContaining(['get_image_info', 'schedule_instances', 'compute_unshelve_instance']),
    );
    expect((await image(shelveImage['id'] as string)).status).toBe(404);
  });

  it('shelved_offload_time = -1 keeps the guest: unshelve powers it on, shelveOffload offloads', async () => {
    const id = await boot('shelve-keep', { host: 'cell1-keep' });
    expect((await act(id, { shelve: null })).status).toBe(202);
    const shelved = await idle(id, 'SHELVED');
    expect(shelved['OS-EXT-SRV-ATTR:host']).toBe('cell1-keep');
    expect(shelved['OS-EXT-STS:power_state']).toBe(4);
    expect(await allocations(id)).toBeGreaterThan(0);
    // A zone (2.77) only for an offloaded server.
    const zoned = await act(id, { unshelve: { availability_zone: 'nova' } }, '2.77');
    expect(zoned.status).toBe(409);
    expect(zoned.body.conflictingRequest.message).toBe(
      `Specifying an availability zone when unshelving server ${id} with status "shelved" is not supported. The server status must be SHELVED_OFFLOADED.`,
    );
    const [first] = await imagesOf(id);
    expect((await act(id, { unshelve: null })).status).toBe(202);
    const on = await idle(id, 'ACTIVE');
    expect(on).toMatchObject({ 'OS-EXT-SRV-ATTR:host': 'cell1-keep', 'OS-EXT-STS:power_state': 1 });
    expect((await image(first['id'] as string)).status).toBe(404);

    expect((await act(id, { shelve: null })).status).toBe(202);
    await idle(id, 'SHELVED');
    expect((await act(id, { shelveOffload: null })).status).toBe(202);
    await idle(id, 'SHELVED_OFFLOADED');
    expect(await allocations(id)).toBe(0);
    expect(
      await finishedEvent(id, 'shelveOffload', 'compute_shelve_offload_instance'),
    ).toMatchObject({ result: 'Success' });
    expect((await act(id, { unshelve: { availability_zone: 'nova' } }, '2.77')).status).toBe(202);
    await idle(id, 'ACTIVE');
    expect(await allocations(id)).toBeGreaterThan(0);
  });

  it('a periodic task offloads after shelved_offload_time seconds', async () => {
    const id = await boot('shelve-later', { host: 'cell1-later' });
    expect((await act(id, { shelve: null })).status).toBe(202);
    const shelved = await idle(id, 'SHELVED');
    expect(shelved['OS-EXT-SRV-ATTR:host']).toBe('cell1-later');
    await idle(id, 'SHELVED_OFFLOADED', 30_000);
    expect(await allocations(id)).toBe(0);
  });

  it('unshelve 2.91: to a host (admins), zones checked and pinned', async () => {
    const aggregate = await cloud.api.post('/v2.1/os-aggregates', {
      aggregate: { name: 'agg-x', availability_zone: 'az-x' },
    });
    expect(aggregate.status).toBe(200);
    const aggId = aggregate.body.aggregate.id as number;
    expect(
      (
        await cloud.api.post(`/v2.1/os-aggregates/${aggId}/action`, {
          add_host: { host: 'cell1-later' },
        })
      ).status,
    ).toBe(200);
    const id = await boot('moved', { host: 'cell1-now' });
    expect((await act(id, { shelve: null })).status).toBe(202);
    await idle(id, 'SHELVED_OFFLOADED');

    const unknown = await act(id, { unshelve: { host: 'nope' } }, '2.91');
    expect(unknown.body).toEqual({
      badRequest: { code: 400, message: 'Compute host nope could not be found.' },
    });
    const noZone = await act(id, { unshelve: { availability_zone: 'az-none' } }, '2.77');
    expect(noZone.body).toEqual({
      badRequest: { code: 400, message: 'The requested availability zone is not available' },
    });
    const outside = await act(
      id,
      { unshelve: { host: 'cell1-keep', availability_zone: 'az-x' } },
      '2.91',
    );
    expect(outside.body).toEqual({
      conflictingRequest: {
        code: 409,
        message: 'Host "cell1-keep" is not in the availability zone "az-x".',
      },
    });
    expect(await imagesOf(id)).toHaveLength(1); // refusals changed nothing

    // A zone pins the server: the scheduler only looks there.
    expect((await act(id, { unshelve: { availability_zone: 'az-x' } }, '2.77')).status).toBe(202);
    const pinned = await idle(id, 'ACTIVE');
    expect(pinned).toMatchObject({
      'OS-EXT-SRV-ATTR:host': 'cell1-later',
      'OS-EXT-AZ:availability_zone': 'az-x',
    });

    // To a host outside the pinned zone: 409; unpinned (null) and to that host: there.
    expect((await act(id, { shelve: null })).status).toBe(202);
    await idle(id, 'SHELVED_OFFLOADED', 30_000); // cell1-later's periodic task offloads it
    const pinnedOut = await act(id, { unshelve: { host: 'cell1-keep' } }, '2.91');
    expect(pinnedOut.status).toBe(409);
    const moved = await act(
      id,
      { unshelve: { host: 'cell1-keep', availability_zone: null } },
      '2.91',
    );
    expect(moved.status).toBe(202);
    const there = await idle(id, 'ACTIVE');
    expect(there).toMatchObject({
      'OS-EXT-SRV-ATTR:host': 'cell1-keep',
      'OS-EXT-AZ:availability_zone': 'nova',
    });
  });

  it('a failed unshelve leaves SHELVED_OFFLOADED with a fault and no allocation', async () => {
    const id = await boot('doomed-1', { host: 'cell1-now' });
    expect((await act(id, { shelve: null })).status).toBe(202);
    await idle(id, 'SHELVED_OFFLOADED');
    const [shelveImage] = await imagesOf(id);
    // On a fake host, whose spawn from this shelve image fails.
    expect((await act(id, { unshelve: { host: 'cell1-now' } }, '2.91')).status).toBe(202);
    expect(await finishedEvent(id, 'unshelve', 'compute_unshelve_instance')).toMatchObject({
      result: 'Error',
    });
    const after = await idle(id, 'SHELVED_OFFLOADED');
    expect(after['OS-EXT-SRV-ATTR:host']).toBeNull();
    expect(await allocations(id)).toBe(0);
    expect((await faults(id)).map((f) => f.message)).toEqual([
      expect.stringMatching(/Injected spawn failure/),
    ]);
    // The shelve image stays for another try; deleting the server takes it along.
    expect((await image(shelveImage['id'] as string)).body.image.status).toBe('ACTIVE');
    expect((await cloud.api.delete(`/v2.1/servers/${id}`)).status).toBe(204);
    await cloud.waitForGone(id);
    expect((await image(shelveImage['id'] as string)).status).toBe(404);
  });

  it('quota: an offloaded server counts as an instance, and unshelve needs its cores back', async () => {
    const quser = { token: 'quser:qproj' };
    expect(
      (await cloud.api.put('/v2.1/os-quota-sets/qproj', { quota_set: { cores: 1 } })).status,
    ).toBe(200);
    const first = await boot('q-1', { as: quser });
    expect((await act(first, { shelve: null }, '2.1', quser)).status).toBe(202);
    const shelved = await cloud.waitForServer(
      first,
      (s) => ['SHELVED', 'SHELVED_OFFLOADED'].includes(s.status) && !s['OS-EXT-STS:task_state'],
    );
    if (shelved.status === 'SHELVED') {
      // On cell1-keep, or on cell1-later racing its periodic offload (409 then).
      expect([202, 409]).toContain((await act(first, { shelveOffload: null })).status);
    }
    await idle(first, 'SHELVED_OFFLOADED', 30_000);
    expect(await limits(quser)).toMatchObject({ totalInstancesUsed: 1, totalCoresUsed: 0 });
    const second = await boot('q-2', { as: quser });
    const refused = await act(first, { unshelve: null }, '2.1', quser);
    expect(refused.body).toEqual({
      forbidden: {
        code: 403,
        message: 'Quota exceeded for cores: Requested 1, but already used 1 of 1 cores',
      },
    });
    expect((await cloud.api.get(`/v2.1/servers/${first}`, { as: quser })).body.server.status).toBe(
      'SHELVED_OFFLOADED',
    );
    expect((await cloud.api.delete(`/v2.1/servers/${second}`, { as: quser })).status).toBe(204);
    await cloud.waitForGone(second);
    expect((await act(first, { unshelve: null }, '2.1', quser)).status).toBe(202);
    await idle(first, 'ACTIVE');
    expect(await limits(quser)).toMatchObject({ totalInstancesUsed: 1, totalCoresUsed: 1 });
  });

  it('on a libvirt host (test:///default): a qcow2 snapshot, shelve, offload, unshelve there', async () => {
    const id = await boot('lv', { host: 'cell1-libvirt', image: anyArchImage });
    const res = await act(id, { createImage: { name: 'lv-snap' } }, '2.45');
    expect(res.status).toBe(202);
    await idle(id, 'ACTIVE');
    expect(await finishedEvent(id, 'createImage', 'compute_snapshot_instance')).toMatchObject({
      result: 'Success',
    });
    // An empty qcow2 of the root disk's size (the test driver has no disk): far more than a fake's.
    const snap = (await image(res.body.image_id as string)).body.image;
    expect(snap).toMatchObject({ status: 'ACTIVE', metadata: { instance_uuid: id } });
    expect(snap['OS-EXT-IMG-SIZE:size']).toBeGreaterThan(100_000);
    expect((await act(id, { shelve: null })).status).toBe(202);
    expect(await idle(id, 'SHELVED')).toMatchObject({ 'OS-EXT-STS:power_state': 4 });
    expect((await act(id, { shelveOffload: null })).status).toBe(202);
    await idle(id, 'SHELVED_OFFLOADED');
    expect((await act(id, { unshelve: { host: 'cell1-libvirt' } }, '2.91')).status).toBe(202);
    expect(await idle(id, 'ACTIVE')).toMatchObject({
      'OS-EXT-SRV-ATTR:host': 'cell1-libvirt',
      'OS-EXT-STS:power_state': 1,
    });
  });
});
