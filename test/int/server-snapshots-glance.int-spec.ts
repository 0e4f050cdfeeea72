import { sleep } from '@nova/common';
import { Cloud } from '../support/cloud';
import {
  ADMIN_PASSWORD,
  GLANCE_URL,
  KEYSTONE_URL,
  KeystoneFixture,
  projectToken,
  SERVICE_PASSWORD,
  type KeystoneUser,
} from '../support/keystone';

/** Glance's v2 API with a token (set-up and checks). */
async function glance(
  token: string,
  method: string,
  path: string,
  body?: { json?: unknown; data?: string },
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${GLANCE_URL}${path}`, {
    method,
    headers: {
      'x-auth-token': token,
      ...(body?.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(body?.data !== undefined ? { 'content-type': 'application/octet-stream' } : {}),
    },
    ...(body?.json !== undefined ? { body: JSON.stringify(body.json) } : {}),
    ...(body?.data !== undefined ? { body: body.data } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

/**
 * Snapshots and shelving against the real Glance (scripts/openstack-services)
 * with real Keystone tokens: the API creates the image with the caller's
 * token, the compute process (another process, no database) uploads the data
 * with the token it got in the cast, Glance holds the result.
 */
describe('server snapshots and shelving with the real Glance (separate processes)', () => {
  let cloud: Cloud;
  let keystone: KeystoneFixture;
  let alice: KeystoneUser;
  let aliceToken: string;
  let adminToken: string;
  let cirros: string;
  let fragile: string;
  const flavorRef = 'glance-snap-tiny';
  const as = (token: string) => ({ as: { token } });

  beforeAll(async () => {
    keystone = await KeystoneFixture.start();
    alice = await keystone.user('alice', ['member', 'reader']);
    aliceToken = await projectToken(alice.name, alice.password, alice.project);
    adminToken = await projectToken('admin', ADMIN_PASSWORD, 'admin');
    const listed = await glance(aliceToken, 'GET', '/v2/images?name=cirros');
    cirros = listed.body.images[0].id as string;
    // Alice's own image, whose snapshots the fake driver fails (fail_snapshot_pattern).
    const created = await glance(aliceToken, 'POST', '/v2/images', {
      json: { name: `${keystone.prefix}-fragile`, disk_format: 'raw', container_format: 'bare' },
    });
    expect(created.status).toBe(201);
    fragile = created.body.id as string;
    expect(
      (await glance(aliceToken, 'PUT', `/v2/images/${fragile}/file`, { data: 'tiny' })).status,
    ).toBe(204);
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 1,
      extra: {
        api: { auth_strategy: 'keystone' },
        keystone_authtoken: {
          auth_url: KEYSTONE_URL,
          username: 'nova',
          password: SERVICE_PASSWORD,
          project_name: 'service',
        },
        glance: { api_servers: GLANCE_URL },
        fake_driver: { fail_snapshot_pattern: 'fragile' },
        quota: { instances: '-1', cores: '-1', ram: '-1' },
      },
    });
    const flavor = await cloud.api.post(
      '/v2.1/flavors',
      { flavor: { name: flavorRef, id: flavorRef, vcpus: 1, ram: 128, disk: 1 } },
      as(adminToken),
    );
    expect(flavor.status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
    if (alice) {
      const left = await glance(adminToken, 'GET', `/v2/images?owner=${alice.projectId}`);
      for (const image of (left.body?.images ?? []) as Array<{ id: string }>) {
        await glance(adminToken, 'DELETE', `/v2/images/${image.id}`);
      }
      const shared = await glance(
        adminToken,
        'GET',
        `/v2/images?instance_owner=${alice.projectId}`,
      );
      for (const image of (shared.body?.images ?? []) as Array<{ id: string }>) {
        await glance(adminToken, 'DELETE', `/v2/images/${image.id}`);
      }
    }
    await keystone?.cleanup();
  });

  /** GET /servers/{id} (admin token) until `done` holds. */
  const waitFor = async (id: string, done: (s: Record<string, any>) => boolean) => {
    let last: Record<string, any> = {};
    for (const started = Date.now(); Date.now() - started < 30_000; await sleep(50)) {
      const res = await cloud.api.get(`/v2.1/servers/${id}`, as(adminToken));
      last = res.status === 200 ? res.body.server : { status: `HTTP ${res.status}` };
      if (res.status === 200 && done(last)) {
        return last;
      }
    }
    throw new Error(`server ${id}: ${JSON.stringify(last)}\n${cloud.problems()}`);
  };
  const boot = async (name: string, image = cirros) => {
    const res = await cloud.api.post(
      '/v2.1/servers',
      { server: { name, imageRef: image, flavorRef } },
      as(aliceToken),
    );
    expect(res.status === 202 ? 202 : res.text).toBe(202);
    const id = res.body.server.id as string;
    await waitFor(id, (s) => s.status === 'ACTIVE');
    return id;
  };
  const act = (id: string, body: unknown, version = '2.1', token = aliceToken) =>
    cloud.api.post(`/v2.1/servers/${id}/action`, body, { ...as(token), version });
  const idle = (id: string, status: string) =>
    waitFor(id, (s) => s.status === status && s['OS-EXT-STS:task_state'] === null);
  const imagesOf = async (server: string, type?: string) =>
    (
      await glance(
        aliceToken,
        'GET',
        `/v2/images?instance_uuid=${server}${type ? `&image_type=${type}` : ''}`,
      )
    ).body.images as Array<Record<string, any>>;
  const eventResult = async (uuid: string, action: string, event: string) => {
    for (let i = 0; i < 200; i++) {
      const actions = (
        await cloud.api.get(`/v2.1/servers/${uuid}/os-instance-actions`, as(adminToken))
      ).body.instanceActions as Array<{ action: string; request_id: string }>;
      const found = actions.find((a) => a.action === action);
      if (found) {
        const detail = await cloud.api.get(
          `/v2.1/servers/${uuid}/os-instance-actions/${found.request_id}`,
          as(adminToken),
        );
        const e = (
          detail.body.instanceAction.events as Array<{ event: string; result: string }>
        ).find((x) => x.event === event);
        if (e?.result) {
          return e.result;
        }
      }
      await sleep(50);
    }
    throw new Error(`no finished ${event} of ${action} on ${uuid}`);
  };

  it("createImage: the compute uploads into Glance with the user's token", async () => {
    const id = await boot('glance-snap');
    const res = await act(id, { createImage: { name: 'glance-snap-1', metadata: { k: 'v' } } });
    expect(res.status).toBe(202);
    const location = String(res.headers['location']);
    expect(location).toMatch(new RegExp(`^${GLANCE_URL}/images/[0-9a-f-]{36}$`));
    const imageId = location.split('/').pop()!;
    await idle(id, 'ACTIVE');
    expect(await eventResult(id, 'createImage', 'compute_snapshot_instance')).toBe('Success');
    const image = await glance(aliceToken, 'GET', `/v2/images/${imageId}`);
    expect(image.body).toMatchObject({
      name: 'glance-snap-1',
      status: 'active',
      visibility: 'private',
      owner: alice.projectId,
      disk_format: 'raw',
      container_format: 'bare',
      min_disk: 1,
      instance_uuid: id,
      image_type: 'snapshot',
      base_image_ref: cirros,
      user_id: alice.userId,
      k: 'v',
    });
    expect(image.body.size).toBeGreaterThan(0);
    const data = await glance(aliceToken, 'GET', `/v2/images/${imageId}/file`);
    expect(data.text).toContain(`(${id}) from image ${cirros}`);

    const latest = await act(id, { createImage: { name: 'glance-snap-2' } }, '2.45');
    expect(latest.status).toBe(202);
    expect(latest.headers['location']).toBeUndefined();
    await idle(id, 'ACTIVE');
    const second = await glance(aliceToken, 'GET', `/v2/images/${latest.body.image_id as string}`);
    expect(second.body).toMatchObject({ status: 'active', name: 'glance-snap-2' });
  });

  it('a failed snapshot deletes the queued Glance image', async () => {
    const id = await boot('glance-fragile', fragile);
    const res = await act(id, { createImage: { name: 'never' } }, '2.45');
    expect(res.status).toBe(202);
    const imageId = res.body.image_id as string;
    expect(await eventResult(id, 'createImage', 'compute_snapshot_instance')).toBe('Error');
    await idle(id, 'ACTIVE');
    expect((await glance(aliceToken, 'GET', `/v2/images/${imageId}`)).status).toBe(404);
    expect(await imagesOf(id)).toEqual([]);
  });

  it('createBackup rotates the backups in Glance', async () => {
    const id = await boot('glance-backup');
    for (const name of ['b-1', 'b-2']) {
      const res = await act(id, { createBackup: { name, backup_type: 'daily', rotation: 1 } });
      expect(res.status).toBe(202);
      await idle(id, 'ACTIVE');
      expect(await eventResult(id, 'createBackup', 'compute_backup_instance')).toBe('Success');
      // Glance orders by created_at, in whole seconds: the next backup must be younger.
      await sleep(1100);
    }
    const backups = await imagesOf(id, 'backup');
    expect(backups.map((b) => [b['name'], b['backup_type'], b['status']])).toEqual([
      ['b-2', 'daily', 'active'],
    ]);
  });

  it('shelve puts the shelve image in Glance; unshelve spawns from it and deletes it', async () => {
    const id = await boot('glance-shelf');
    expect((await act(id, { shelve: null })).status).toBe(202);
    await idle(id, 'SHELVED_OFFLOADED');
    const [shelved] = await imagesOf(id);
    expect(shelved).toMatchObject({
      name: 'glance-shelf-shelved',
      status: 'active',
      image_type: 'snapshot',
      instance_uuid: id,
    });
    expect((await act(id, { unshelve: null })).status).toBe(202);
    await idle(id, 'ACTIVE');
    expect(await eventResult(id, 'unshelve', 'compute_unshelve_instance')).toBe('Success');
    expect((await glance(aliceToken, 'GET', `/v2/images/${shelved['id'] as string}`)).status).toBe(
      404,
    );
  });

  it("an admin's snapshot of another project's server is shared with that project", async () => {
    const id = await boot('glance-admin-snap');
    const res = await act(id, { createImage: { name: 'by-admin' } }, '2.45', adminToken);
    expect(res.status).toBe(202);
    await idle(id, 'ACTIVE');
    const imageId = res.body.image_id as string;
    const image = await glance(aliceToken, 'GET', `/v2/images/${imageId}`);
    expect(image.body).toMatchObject({
      status: 'active',
      visibility: 'shared',
      instance_owner: alice.projectId,
    });
    const members = await glance(adminToken, 'GET', `/v2/images/${imageId}/members`);
    expect(members.body.members.map((m: { member_id: string }) => m.member_id)).toEqual([
      alice.projectId,
    ]);
    await glance(adminToken, 'DELETE', `/v2/images/${imageId}`);
  });
});
