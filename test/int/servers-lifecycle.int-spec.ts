import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKey } from 'sshpk';
import { Cloud } from '../support/cloud';
import { query } from '../support/mysql';

/**
 * The rest of a server's life across real processes (one cell, one fake
 * compute, MariaDB, RabbitMQ, Redis): rebuild, rescue, admin actions,
 * passwords, security groups, soft delete with `reclaim_instance_interval`,
 * addresses, diagnostics and external events.
 */
describe('server lifecycle actions (separate processes)', () => {
  let cloud: Cloud;
  const imageRef = '6f1a8e1c-4a63-4d8e-9b7e-1f0d2c3b4a61';
  const otherImage = '6f1a8e1c-4a63-4d8e-9b7e-1f0d2c3b4a62';
  /** The fake host is x86_64: the image filters refuse this image there. */
  const i686Image = '6f1a8e1c-4a63-4d8e-9b7e-1f0d2c3b4a63';
  const flavorRef = 'life-tiny';
  const member = { as: 'member' as const };

  beforeAll(async () => {
    const catalog = join(mkdtempSync(join(tmpdir(), 'nova-images-')), 'images.json');
    writeFileSync(
      catalog,
      JSON.stringify([
        { id: imageRef, name: 'cirros', status: 'active', architecture: 'x86_64' },
        { id: otherImage, name: 'cirros-alt', status: 'active', architecture: 'x86_64' },
        { id: i686Image, name: 'cirros-i686', status: 'active', architecture: 'i686' },
      ]),
    );
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 1,
      extra: {
        DEFAULT: { reclaim_instance_interval: '3' },
        glance: { local_catalog: catalog },
        quota: { instances: '-1', cores: '-1', ram: '-1' },
      },
    });
    const flavor = await cloud.api.post('/v2.1/flavors', {
      flavor: { name: flavorRef, id: flavorRef, vcpus: 1, ram: 256, disk: 1 },
    });
    expect(flavor.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  const boot = async (name: string, extra: Record<string, unknown> = {}, version = '2.1') => {
    const res = await cloud.api.post(
      '/v2.1/servers',
      { server: { name, imageRef, flavorRef, ...extra } },
      { as: 'member', version },
    );
    expect(res.status === 202 ? 202 : res.text).toBe(202);
    const id = res.body.server.id as string;
    await cloud.waitForServer(id, (s) => s.status === 'ACTIVE');
    return id;
  };
  const act = (id: string, body: unknown, version = '2.1', as: 'member' | 'admin' = 'member') =>
    cloud.api.post(`/v2.1/servers/${id}/action`, body, { as, version });
  const idle = (id: string, status: string) =>
    cloud.waitForServer(id, (s) => s.status === status && s['OS-EXT-STS:task_state'] === null);

  it('rebuilds with a new image, name and metadata; a stopped server stays stopped', async () => {
    const id = await boot('rebuild-me', { metadata: { old: '1' } });
    const allocations = async () =>
      query<{ n: number; used: number }>(
        cloud.deployment.dbName('api'),
        'SELECT COUNT(*) AS n, SUM(used) AS used FROM allocations WHERE consumer_id = ?',
        [id],
      ).then((rows) => ({ n: Number(rows[0]?.n), used: Number(rows[0]?.used) }));
    const claimed = await allocations();
    expect(claimed.n).toBeGreaterThan(0);
    const res = await act(
      id,
      { rebuild: { imageRef: otherImage, name: 'rebuilt', metadata: { fresh: 'yes' } } },
      '2.19',
    );
    expect(res.status).toBe(202);
    expect(res.body.server).toMatchObject({
      id,
      name: 'rebuilt',
      metadata: { fresh: 'yes' },
      image: { id: otherImage },
      adminPass: expect.any(String),
    });
    const active = await idle(id, 'ACTIVE');
    expect(active['image'].id).toBe(otherImage);
    // The image check claimed nothing: the server holds what it held.
    expect(await allocations()).toEqual(claimed);
    const actions = await cloud.api.get(`/v2.1/servers/${id}/os-instance-actions`, member);
    expect(actions.body.instanceActions.map((a: { action: string }) => a.action)).toContain(
      'rebuild',
    );

    expect((await act(id, { 'os-stop': null })).status).toBe(202);
    await idle(id, 'SHUTOFF');
    expect((await act(id, { rebuild: { imageRef } })).status).toBe(202);
    const stopped = await idle(id, 'SHUTOFF');
    expect(stopped['image'].id).toBe(imageRef);
  });

  it('refuses a rebuild the host cannot run, an unknown image, and a busy server', async () => {
    const id = await boot('rebuild-refused');
    const refused = await act(id, { rebuild: { imageRef: i686Image } });
    expect(refused.status).toBe(400);
    expect(refused.body.badRequest.message).toMatch(
      new RegExp(`^Image ${i686Image} is unacceptable`),
    );
    const unknown = await act(id, {
      rebuild: { imageRef: 'c0ffee00-0000-4000-8000-000000000000' },
    });
    expect(unknown.body).toEqual({
      badRequest: { code: 400, message: 'Cannot find requested image' },
    });
    expect((await act(id, { pause: null })).status).toBe(202);
    await idle(id, 'PAUSED');
    const paused = await act(id, { rebuild: { imageRef: otherImage } });
    expect(paused.status).toBe(409);
    // Nothing changed by the refusals.
    const server = (await cloud.api.get(`/v2.1/servers/${id}`, member)).body.server;
    expect(server).toMatchObject({ status: 'PAUSED', image: { id: imageRef } });
  });

  it('rescues and unrescues, answering the rescue password', async () => {
    const id = await boot('rescue-me');
    const rescued = await act(id, {
      rescue: { adminPass: 'rescue-pw', rescue_image_ref: otherImage },
    });
    expect(rescued.status).toBe(200);
    expect(rescued.body).toEqual({ adminPass: 'rescue-pw' });
    await idle(id, 'RESCUE');
    expect((await act(id, { rescue: null })).status).toBe(409);
    expect((await act(id, { unrescue: null })).status).toBe(202);
    await idle(id, 'ACTIVE');
    expect((await act(id, { unrescue: null })).status).toBe(409);
  });

  it('resets the state (admins only) and rebuilds a server in ERROR', async () => {
    const id = await boot('reset-me');
    expect((await act(id, { 'os-resetState': { state: 'error' } })).status).toBe(403);
    expect((await act(id, { 'os-resetState': { state: 'error' } }, '2.1', 'admin')).status).toBe(
      202,
    );
    expect((await cloud.api.get(`/v2.1/servers/${id}`, member)).body.server.status).toBe('ERROR');
    expect((await act(id, { rebuild: { imageRef } })).status).toBe(202);
    await idle(id, 'ACTIVE');
    expect((await act(id, { 'os-resetState': { state: 'bogus' } }, '2.1', 'admin')).status).toBe(
      400,
    );
  });

  it("changes the password; the guest's encrypted copy is in os-server-password", async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const openssh = parseKey(publicKey.export({ type: 'spki', format: 'pem' }), 'pem').toString(
      'ssh',
    );
    const imported = await cloud.api.post(
      '/v2.1/os-keypairs',
      { keypair: { name: 'rsa-life', public_key: openssh } },
      member,
    );
    expect(imported.status).toBe(200);
    const id = await boot('password-me', { key_name: 'rsa-life' });
    const empty = await cloud.api.get(`/v2.1/servers/${id}/os-server-password`, member);
    expect(empty.body).toEqual({ password: '' });
    expect((await act(id, { changePassword: { adminPass: 'n3w-secret' } })).status).toBe(202);
    await idle(id, 'ACTIVE');
    let stored = '';
    for (let i = 0; i < 100 && stored === ''; i++) {
      stored = (await cloud.api.get(`/v2.1/servers/${id}/os-server-password`, member)).body
        .password as string;
    }
    // As `nova get-password` does it: PKCS#1 v1.5 with the private key (openssl; Node refuses it).
    const keyFile = join(mkdtempSync(join(tmpdir(), 'nova-key-')), 'key.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const clear = execFileSync(
      'openssl',
      ['pkeyutl', '-decrypt', '-inkey', keyFile, '-pkeyopt', 'rsa_padding_mode:pkcs1'],
      { input: Buffer.from(stored, 'base64') },
    ).toString();
    expect(clear).toBe('n3w-secret');
    expect((await cloud.api.delete(`/v2.1/servers/${id}/os-server-password`, member)).status).toBe(
      204,
    );
    expect((await cloud.api.get(`/v2.1/servers/${id}/os-server-password`, member)).body).toEqual({
      password: '',
    });
  });

  it('adds and removes security groups; shows addresses by network', async () => {
    const id = await boot('grouped', { security_groups: [{ name: 'default' }] });
    expect((await act(id, { addSecurityGroup: { name: 'web' } })).status).toBe(202);
    const twice = await act(id, { addSecurityGroup: { name: 'web' } });
    expect(twice.status).toBe(400);
    let server = (await cloud.api.get(`/v2.1/servers/${id}`, member)).body.server;
    expect(server.security_groups).toEqual([{ name: 'default' }, { name: 'web' }]);
    // The flat network filters nothing: each name the server keeps is a group without rules.
    const groups = await cloud.api.get(`/v2.1/servers/${id}/os-security-groups`, member);
    expect(groups.status).toBe(200);
    expect(groups.body.security_groups).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'default',
        description: 'Default security group',
        tenant_id: 'demo',
        rules: [],
      },
      { id: expect.any(String), name: 'web', description: 'web', tenant_id: 'demo', rules: [] },
    ]);
    const projectGroups = await cloud.api.get('/v2.1/os-security-groups', member);
    expect(projectGroups.body.security_groups).toEqual([groups.body.security_groups[0]]);
    for (const name of ['default', 'web']) {
      expect((await act(id, { removeSecurityGroup: { name } })).status).toBe(202);
    }
    expect((await act(id, { removeSecurityGroup: { name: 'web' } })).status).toBe(400);
    server = (await cloud.api.get(`/v2.1/servers/${id}`, member)).body.server;
    expect(server).not.toHaveProperty('security_groups');

    const ips = await cloud.api.get(`/v2.1/servers/${id}/ips`, member);
    expect(ips.body.addresses.private).toEqual([
      { version: 4, addr: expect.stringMatching(/^10\./) },
    ]);
    const byNet = await cloud.api.get(`/v2.1/servers/${id}/ips/private`, member);
    expect(byNet.body).toEqual({ private: ips.body.addresses.private });
    expect((await cloud.api.get(`/v2.1/servers/${id}/ips/nowhere`, member)).status).toBe(404);
  });

  it('answers diagnostics to admins, in the 2.48 shape and the legacy one', async () => {
    const id = await boot('diagnosed');
    expect((await cloud.api.get(`/v2.1/servers/${id}/diagnostics`, member)).status).toBe(403);
    const standard = await cloud.api.get(`/v2.1/servers/${id}/diagnostics`, { version: '2.48' });
    expect(standard.status).toBe(200);
    expect(standard.body).toMatchObject({
      state: 'running',
      num_cpus: 1,
      num_nics: 1,
      memory_details: { maximum: 256 },
      nic_details: [{ mac_address: expect.stringMatching(/^fa:16:3e:/) }],
    });
    const legacy = await cloud.api.get(`/v2.1/servers/${id}/diagnostics`);
    expect(legacy.body).toMatchObject({ memory: 256 * 1024, cpu0_time: expect.any(Number) });
  });

  it('triggers a crash dump from 2.17 and injects network info (admins)', async () => {
    const id = await boot('dumped');
    expect((await act(id, { trigger_crash_dump: null }, '2.16')).status).toBe(404);
    expect((await act(id, { trigger_crash_dump: null }, '2.17')).status).toBe(202);
    expect((await act(id, { injectNetworkInfo: null })).status).toBe(403);
    expect((await act(id, { injectNetworkInfo: null }, '2.1', 'admin')).status).toBe(202);
    const events = async () => {
      const actions = (await cloud.api.get(`/v2.1/servers/${id}/os-instance-actions`)).body
        .instanceActions as Array<{ action: string; request_id: string }>;
      const dump = actions.find((a) => a.action === 'trigger_crash_dump')!;
      return (await cloud.api.get(`/v2.1/servers/${id}/os-instance-actions/${dump.request_id}`))
        .body.instanceAction.events as Array<{ result: string | null }>;
    };
    for (let i = 0; i < 100 && (await events())[0]?.result !== 'Success'; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await events())[0]?.result).toBe('Success');
    expect((await cloud.api.get(`/v2.1/servers/${id}`, member)).body.server.status).toBe('ACTIVE');
  });

  it('delivers external events: 200, 207 for an unknown server, 404 when none is known', async () => {
    const id = await boot('evented');
    const missing = 'c0ffee00-0000-4000-8000-000000000001';
    const ok = await cloud.api.post('/v2.1/os-server-external-events', {
      events: [{ name: 'network-changed', server_uuid: id, tag: 'port-1' }],
    });
    expect(ok.status).toBe(200);
    expect(ok.body.events).toEqual([
      { name: 'network-changed', server_uuid: id, status: 'completed', code: 200, tag: 'port-1' },
    ]);
    const mixed = await cloud.api.post('/v2.1/os-server-external-events', {
      events: [
        { name: 'network-vif-plugged', server_uuid: id },
        { name: 'network-vif-plugged', server_uuid: missing },
      ],
    });
    expect(mixed.status).toBe(207);
    expect(mixed.body.events.map((e: { code: number }) => e.code)).toEqual([200, 404]);
    const none = await cloud.api.post('/v2.1/os-server-external-events', {
      events: [{ name: 'network-changed', server_uuid: missing }],
    });
    expect(none.status).toBe(404);
    const early = await cloud.api.post(
      '/v2.1/os-server-external-events',
      { events: [{ name: 'power-update', server_uuid: id, tag: 'POWER_OFF' }] },
      { version: '2.75' },
    );
    expect(early.status).toBe(400);
    const member403 = await cloud.api.post(
      '/v2.1/os-server-external-events',
      { events: [{ name: 'network-changed', server_uuid: id }] },
      member,
    );
    expect(member403.status).toBe(403);
  });

  it('soft-deletes with reclaim_instance_interval: restore, forceDelete, reclaim', async () => {
    const mappings = (uuid: string) =>
      query<{ queued_for_delete: number }>(
        cloud.deployment.dbName('api'),
        'SELECT queued_for_delete FROM instance_mappings WHERE instance_uuid = ?',
        [uuid],
      );
    const restored = await boot('soft-1');
    expect((await cloud.api.delete(`/v2.1/servers/${restored}`, member)).status).toBe(204);
    await idle(restored, 'SOFT_DELETED');
    expect(Number((await mappings(restored))[0]?.queued_for_delete)).toBe(0); // still counted
    expect((await act(restored, { restore: null })).status).toBe(202);
    await idle(restored, 'ACTIVE');
    expect((await act(restored, { restore: null })).status).toBe(409);

    const forced = await boot('soft-2');
    expect((await cloud.api.delete(`/v2.1/servers/${forced}`, member)).status).toBe(204);
    await idle(forced, 'SOFT_DELETED');
    expect((await act(forced, { forceDelete: null })).status).toBe(202);
    await cloud.waitForGone(forced);

    const reclaimed = await boot('soft-3');
    expect((await cloud.api.delete(`/v2.1/servers/${reclaimed}`, member)).status).toBe(204);
    await idle(reclaimed, 'SOFT_DELETED');
    // The host reclaims it once the interval (3 s) has passed.
    await cloud.waitForGone(reclaimed, 20_000);
    // The conductor queues the mapping for delete just before the row goes.
    let queued = 0;
    for (let i = 0; i < 100 && queued !== 1; i++) {
      queued = Number((await mappings(reclaimed))[0]?.queued_for_delete);
    }
    expect(queued).toBe(1);
  });
});
