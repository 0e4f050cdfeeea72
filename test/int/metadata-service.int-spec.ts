import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKey } from 'sshpk';
import { Cloud } from '../support/cloud';
import { ServiceProcess } from '../support/service-process';

/**
 * The metadata service as a guest meets it, and config drives, across real
 * processes (one cell, fake computes, MariaDB, RabbitMQ, Redis). Two
 * nova-api-metadata processes: one finds guests by their address (the test
 * cannot send from a guest's fixed IP on loopback, so it names it in
 * X-Forwarded-For with `[api] use_forwarded_for`), the other behind
 * Neutron's metadata proxy (signed X-Instance-ID) and without a cache.
 */
describe('metadata service and config drive (separate processes)', () => {
  let cloud: Cloud;
  let byAddress: ServiceProcess;
  let byProxy: ServiceProcess;
  let addressUrl = '';
  let proxyUrl = '';
  const secret = 'proxy-s3cret';
  const imageRef = '155d900f-4e14-4e4c-a73d-069cbf4541e6';
  const flavorRef = 'meta-tiny';
  const member = { as: 'member' as const };
  const userData = '#cloud-config\nruncmd:\n - echo hello\n';
  let openssh = '';

  /** A nova-api-metadata process on a free port; resolves its URL once it listens. */
  async function startMetadata(env: Record<string, string>): Promise<[ServiceProcess, string]> {
    const process = new ServiceProcess('nova-api-metadata', ['--config-file', cloud.configFile], {
      OS_DEFAULT__METADATA_LISTEN: '127.0.0.1',
      OS_DEFAULT__METADATA_LISTEN_PORT: '0',
      ...env,
    });
    await process.waitFor(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('metadata service listening'),
    );
    const line = process.lines.find((l) => l.msg.startsWith('metadata service listening'))!;
    return [process, `http://127.0.0.1:${String(line['port'])}`];
  }

  beforeAll(async () => {
    const catalog = join(mkdtempSync(join(tmpdir(), 'nova-images-')), 'images.json');
    writeFileSync(
      catalog,
      JSON.stringify([{ id: imageRef, name: 'cirros', status: 'active', architecture: 'x86_64' }]),
    );
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 1,
      extra: { glance: { local_catalog: catalog } },
    });
    const flavor = await cloud.api.post('/v2.1/flavors', {
      flavor: { name: 'meta.tiny', id: flavorRef, vcpus: 1, ram: 256, disk: 1 },
    });
    expect(flavor.status).toBe(200);
    [byAddress, addressUrl] = await startMetadata({
      OS_API__USE_FORWARDED_FOR: 'true',
      // Long enough that the cache test below reads within it on any machine.
      OS_API__METADATA_CACHE_EXPIRATION: '600',
    });
    [byProxy, proxyUrl] = await startMetadata({
      OS_NEUTRON__SERVICE_METADATA_PROXY: 'true',
      OS_NEUTRON__METADATA_PROXY_SHARED_SECRET: secret,
      OS_API__METADATA_CACHE_EXPIRATION: '0',
    });
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    openssh = parseKey(publicKey.export({ type: 'spki', format: 'pem' }), 'pem').toString('ssh');
    const imported = await cloud.api.post(
      '/v2.1/os-keypairs',
      { keypair: { name: 'meta-key', public_key: openssh } },
      member,
    );
    expect(imported.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await byAddress?.stop();
    await byProxy?.stop();
    await cloud?.stop();
  });

  const boot = async (server: Record<string, unknown>, as: 'member' | 'admin' = 'member') => {
    const res = await cloud.api.post(
      '/v2.1/servers',
      { server: { imageRef, flavorRef, ...server } },
      { as },
    );
    expect(res.status === 202 ? 202 : res.text).toBe(202);
    const id = res.body.server.id as string;
    const active = await cloud.waitForServer(id, (s) => s.status === 'ACTIVE');
    return { id, server: active, adminPass: res.body.server.adminPass as string };
  };
  const fixedIp = (server: Record<string, any>) => server.addresses.private[0].addr as string;
  /** A guest's request: its address named in X-Forwarded-For. */
  const asGuest = (ip: string, path: string, init: RequestInit = {}) =>
    fetch(`${addressUrl}${path}`, {
      ...init,
      headers: { 'X-Forwarded-For': ip, ...(init.headers as Record<string, string>) },
    });
  const viaProxy = (id: string, tenant: string, path: string, init: RequestInit = {}) =>
    fetch(`${proxyUrl}${path}`, {
      ...init,
      headers: {
        'X-Instance-ID': id,
        'X-Tenant-ID': tenant,
        'X-Instance-ID-Signature': createHmac('sha256', secret).update(id).digest('hex'),
        ...(init.headers as Record<string, string>),
      },
    });
  const isoPath = (id: string) => join(cloud.deployment.dir, 'instances', id, 'disk.config');
  const isoFile = (id: string, path: string) =>
    execFileSync('isoinfo', ['-R', '-i', isoPath(id), '-x', path]).toString();

  let web: { id: string; server: Record<string, any>; adminPass: string };

  it("serves the guest's OpenStack tree, found by its fixed IP", async () => {
    web = await boot({
      name: 'web 1',
      key_name: 'meta-key',
      metadata: { role: 'web' },
      user_data: Buffer.from(userData).toString('base64'),
      adminPass: 'Create-Pass-1',
      config_drive: true,
      personality: [{ path: '/etc/motd', contents: Buffer.from('welcome\n').toString('base64') }],
    });
    const ip = fixedIp(web.server);

    const root = await fetch(`${addressUrl}/`);
    expect(root.status).toBe(200);
    expect((await root.text()).split('\n')).toEqual([
      '1.0',
      '2007-01-19',
      '2007-03-01',
      '2007-08-29',
      '2007-10-10',
      '2007-12-15',
      '2008-02-01',
      '2008-09-01',
      '2009-04-04',
      'latest',
    ]);
    expect((await (await asGuest(ip, '/openstack')).text()).split('\n').slice(-2)).toEqual([
      '2020-10-14',
      'latest',
    ]);
    expect(await (await asGuest(ip, '/openstack/latest/')).text()).toBe(
      'meta_data.json\nuser_data\npassword\nvendor_data.json\nnetwork_data.json\nvendor_data2.json',
    );

    const md = await asGuest(ip, '/openstack/latest/meta_data.json');
    expect(md.status).toBe(200);
    expect(md.headers.get('content-type')).toMatch(/^application\/json/);
    const meta = (await md.json()) as Record<string, unknown>;
    expect(meta).toEqual({
      uuid: web.id,
      meta: { role: 'web' },
      public_keys: { 'meta-key': openssh },
      keys: [{ name: 'meta-key', type: 'ssh', data: openssh }],
      hostname: 'web-1.novalocal',
      name: 'web 1',
      launch_index: 0,
      availability_zone: 'nova',
      random_seed: expect.any(String),
      project_id: 'demo',
      devices: [],
      dedicated_cpus: [],
    });
    expect((await asGuest(ip, '/openstack/content/0000')).status).toBe(404);

    expect(await (await asGuest(ip, '/openstack/latest/user_data')).text()).toBe(userData);
    expect(await (await asGuest(ip, '/openstack/latest/vendor_data.json')).json()).toEqual({});
    expect(await (await asGuest(ip, '/openstack/latest/vendor_data2.json')).json()).toEqual({
      static: {},
    });
    const network = (await (
      await asGuest(ip, '/openstack/latest/network_data.json')
    ).json()) as any;
    expect(network.links).toEqual([
      expect.objectContaining({
        ethernet_mac_address: web.server.addresses.private[0]['OS-EXT-IPS-MAC:mac_addr'],
      }),
    ]);
    expect(network.networks).toEqual([
      expect.objectContaining({
        type: 'ipv4',
        ip_address: ip,
        netmask: '255.255.0.0',
        routes: [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.0.0.1' }],
        link: network.links[0].id,
      }),
    ]);
  });

  it('serves the EC2 tree as Nova prints it', async () => {
    const ip = fixedIp(web.server);
    const text = async (path: string) => {
      const res = await asGuest(ip, path);
      expect(res.status === 200 ? 200 : `${path}: ${res.status}`).toBe(200);
      return res.text();
    };
    expect(await text('/latest')).toBe('meta-data/\nuser-data');
    expect((await text('/latest/meta-data/')).split('\n')).toEqual([
      'ami-id',
      'ami-launch-index',
      'ami-manifest-path',
      'block-device-mapping/',
      'hostname',
      'instance-action',
      'instance-id',
      'instance-type',
      'local-hostname',
      'local-ipv4',
      'placement/',
      'public-hostname',
      'public-ipv4',
      'public-keys/',
      'reservation-id',
      'security-groups',
    ]);
    expect(await text('/latest/meta-data/instance-id')).toMatch(/^i-[0-9a-f]{8}$/);
    expect(await text('/2009-04-04/meta-data/ami-id')).toBe('ami-155d900f');
    expect(await text('/latest/meta-data/hostname')).toBe('web-1.novalocal');
    expect(await text('/latest/meta-data/local-ipv4')).toBe(ip);
    expect(await text('/latest/meta-data/instance-type')).toBe('meta.tiny');
    expect(await text('/latest/meta-data/placement/availability-zone')).toBe('nova');
    expect(await text('/latest/meta-data/security-groups')).toBe('default');
    expect(await text('/latest/meta-data/public-keys/')).toBe('0=meta-key');
    expect(await text('/latest/meta-data/public-keys/0/openssh-key')).toBe(openssh);
    expect(await text('/latest/meta-data/reservation-id')).toMatch(/^r-[0-9a-z]{8}$/);
    expect(await text('/latest/user-data')).toBe(userData);
    expect((await asGuest(ip, '/latest/meta-data/nothing')).status).toBe(404);
    expect((await asGuest('10.254.254.254', '/latest/meta-data/')).status).toBe(404);
    // No X-Forwarded-For: the socket's address counts, and loopback is nobody.
    expect((await fetch(`${addressUrl}/latest/meta-data/`)).status).toBe(404);
    // Behind Neutron's proxy only its headers count.
    const direct = await fetch(`${proxyUrl}/latest/meta-data/`);
    expect(direct.status).toBe(400);
    expect(await direct.text()).toContain('X-Instance-ID header is missing from request.');
  });

  it("finds the guest from Neutron's signed headers; a bad signature is 403", async () => {
    const md = await viaProxy(web.id, 'demo', '/openstack/latest/meta_data.json');
    expect(md.status).toBe(200);
    expect(((await md.json()) as { uuid: string }).uuid).toBe(web.id);
    expect(await (await viaProxy(web.id, 'demo', '/latest/user-data')).text()).toBe(userData);
    const forged = await fetch(`${proxyUrl}/openstack/latest/meta_data.json`, {
      headers: {
        'X-Instance-ID': web.id,
        'X-Tenant-ID': 'demo',
        'X-Instance-ID-Signature': createHmac('sha256', 'wrong').update(web.id).digest('hex'),
      },
    });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('Invalid proxy request signature.');
    expect((await viaProxy(web.id, 'other', '/openstack/latest/meta_data.json')).status).toBe(404);
  });

  it('keeps what it built for metadata_cache_expiration (the proxy process keeps nothing)', async () => {
    const ip = fixedIp(web.server);
    // Cached by the earlier requests of the address process.
    const changed = await cloud.api.put(
      `/v2.1/servers/${web.id}/metadata`,
      { metadata: { role: 'db' } },
      member,
    );
    expect(changed.status).toBe(200);
    const cached = (await (await asGuest(ip, '/openstack/latest/meta_data.json')).json()) as any;
    expect(cached.meta).toEqual({ role: 'web' });
    const fresh = (await (
      await viaProxy(web.id, 'demo', '/openstack/latest/meta_data.json')
    ).json()) as any;
    expect(fresh.meta).toEqual({ role: 'db' });
  });

  it('takes the password the guest posts once, and shares it with os-server-password', async () => {
    const path = '/openstack/latest/password';
    expect(await (await viaProxy(web.id, 'demo', path)).text()).toBe('');
    const posted = await viaProxy(web.id, 'demo', path, { method: 'POST', body: 'ZW5jcnlwdGVk' });
    expect(posted.status).toBe(200);
    expect(await (await viaProxy(web.id, 'demo', path)).text()).toBe('ZW5jcnlwdGVk');
    const api = await cloud.api.get(`/v2.1/servers/${web.id}/os-server-password`, member);
    expect(api.body).toEqual({ password: 'ZW5jcnlwdGVk' });
    const again = await viaProxy(web.id, 'demo', path, { method: 'POST', body: 'b3RoZXI=' });
    expect(again.status).toBe(409);
    const tooBig = await viaProxy(web.id, 'demo', path, { method: 'POST', body: 'x'.repeat(257) });
    expect(tooBig.status).toBe(409); // the conflict is checked first, as in Nova
    // Cleared through the API: the guest may post again.
    expect(
      (await cloud.api.delete(`/v2.1/servers/${web.id}/os-server-password`, member)).status,
    ).toBe(204);
    expect(await (await viaProxy(web.id, 'demo', path)).text()).toBe('');
    const big = await viaProxy(web.id, 'demo', path, { method: 'POST', body: 'x'.repeat(257) });
    expect(big.status).toBe(400);
    expect((await viaProxy(web.id, 'demo', path, { method: 'POST', body: 'bmV3' })).status).toBe(
      200,
    );
    expect(
      (await cloud.api.get(`/v2.1/servers/${web.id}/os-server-password`, member)).body,
    ).toEqual({ password: 'bmV3' });
    // The address process posts through the same storage: taken already.
    const ip = fixedIp(web.server);
    expect((await asGuest(ip, path, { method: 'POST', body: 'eA==' })).status).toBe(409);
  });

  it('built a config drive (config-2) with the same trees, the admin password and user data', async () => {
    expect(web.server.config_drive).toBe('True');
    expect(existsSync(isoPath(web.id))).toBe(true);
    const info = execFileSync('isoinfo', ['-d', '-i', isoPath(web.id)]).toString();
    expect(info).toMatch(/^Volume id: config-2$/m);
    const files = execFileSync('isoinfo', ['-R', '-f', '-i', isoPath(web.id)])
      .toString()
      .trim()
      .split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        '/ec2/latest/meta-data.json',
        '/ec2/latest/user-data',
        '/ec2/2009-04-04/meta-data.json',
        '/openstack/latest/meta_data.json',
        '/openstack/latest/user_data',
        '/openstack/latest/network_data.json',
        '/openstack/latest/vendor_data.json',
        '/openstack/latest/vendor_data2.json',
        '/openstack/2012-08-10/meta_data.json',
      ]),
    );
    const meta = JSON.parse(isoFile(web.id, '/openstack/latest/meta_data.json'));
    expect(meta).toMatchObject({
      uuid: web.id,
      admin_pass: 'Create-Pass-1',
      hostname: 'web-1.novalocal',
      name: 'web 1',
      public_keys: { 'meta-key': openssh },
      meta: { role: 'web' },
      project_id: 'demo',
    });
    expect(isoFile(web.id, '/openstack/latest/user_data')).toBe(userData);
    expect(isoFile(web.id, '/ec2/latest/user-data')).toBe(userData);
    // Personality files (before 2.57) are on the drive only, never served nor stored.
    expect(meta.files).toEqual([{ path: '/etc/motd', content_path: '/content/0000' }]);
    expect(isoFile(web.id, '/openstack/content/0000')).toBe('welcome\n');
    const ec2 = JSON.parse(isoFile(web.id, '/ec2/latest/meta-data.json'));
    const instanceId = await (
      await asGuest(fixedIp(web.server), '/latest/meta-data/instance-id')
    ).text();
    expect(ec2).toMatchObject({
      'instance-id': instanceId,
      'local-ipv4': fixedIp(web.server),
      'public-keys': { '0': { 'openssh-key': openssh } },
    });
    const network = JSON.parse(isoFile(web.id, '/openstack/latest/network_data.json'));
    expect(network.networks[0]).toMatchObject({ ip_address: fixedIp(web.server), type: 'ipv4' });
  });

  it('a rebuild writes a fresh drive with the new admin password', async () => {
    const res = await cloud.api.post(
      `/v2.1/servers/${web.id}/action`,
      { rebuild: { imageRef, adminPass: 'Rebuilt-Pass-2' } },
      member,
    );
    expect(res.status).toBe(202);
    await cloud.waitForServer(
      web.id,
      (s) => s.status === 'ACTIVE' && s['OS-EXT-STS:task_state'] === null,
    );
    const meta = JSON.parse(isoFile(web.id, '/openstack/latest/meta_data.json'));
    expect(meta.admin_pass).toBe('Rebuilt-Pass-2');
    expect(isoFile(web.id, '/openstack/latest/user_data')).toBe(userData);
    // The NICs as recorded at the build: the drive and the service describe them alike.
    const network = await (
      await viaProxy(web.id, 'demo', '/openstack/latest/network_data.json')
    ).json();
    expect(JSON.parse(isoFile(web.id, '/openstack/latest/network_data.json'))).toEqual(network);
  });

  it('an offloaded server loses its drive; unshelved, its host builds it again without a password', async () => {
    const act = (body: unknown) => cloud.api.post(`/v2.1/servers/${web.id}/action`, body, member);
    expect((await act({ shelve: null })).status).toBe(202);
    await cloud.waitForServer(
      web.id,
      (s) => s.status === 'SHELVED_OFFLOADED' && s['OS-EXT-STS:task_state'] === null,
    );
    expect(existsSync(isoPath(web.id))).toBe(false);

    expect((await act({ unshelve: null })).status).toBe(202);
    const back = await cloud.waitForServer(
      web.id,
      (s) => s.status === 'ACTIVE' && s['OS-EXT-STS:task_state'] === null,
    );
    expect(back.config_drive).toBe('True');
    const meta = JSON.parse(isoFile(web.id, '/openstack/latest/meta_data.json'));
    expect(meta).toMatchObject({
      uuid: web.id,
      hostname: 'web-1.novalocal',
      public_keys: { 'meta-key': openssh },
      meta: back.metadata, // as it is now (changed since the build)
      availability_zone: back['OS-EXT-AZ:availability_zone'],
    });
    expect(meta).not.toHaveProperty('admin_pass');
    expect(isoFile(web.id, '/openstack/latest/user_data')).toBe(userData);
    const network = await (
      await viaProxy(web.id, 'demo', '/openstack/latest/network_data.json')
    ).json();
    expect(JSON.parse(isoFile(web.id, '/openstack/latest/network_data.json'))).toEqual(network);
  });

  it('no drive unless asked; a host with force_config_drive gives every server one', async () => {
    const plain = await boot({ name: 'plain' });
    expect(plain.server.config_drive).toBe('');
    expect(existsSync(isoPath(plain.id))).toBe(false);

    cloud.startCompute('cell1', 'cell1-forced', { OS_DEFAULT__FORCE_CONFIG_DRIVE: 'true' });
    await cloud.waitForHosts(2);
    const forced = await boot({ name: 'forced', availability_zone: 'nova:cell1-forced' }, 'admin');
    expect(forced.server['OS-EXT-SRV-ATTR:host']).toBe('cell1-forced');
    expect(forced.server.config_drive).toBe('True');
    const meta = JSON.parse(isoFile(forced.id, '/openstack/latest/meta_data.json'));
    expect(meta).toMatchObject({ uuid: forced.id, admin_pass: forced.adminPass });
    expect(meta).not.toHaveProperty('public_keys');

    // Deleting the server removes its drive with it.
    expect((await cloud.api.delete(`/v2.1/servers/${forced.id}`)).status).toBe(204);
    await cloud.waitForGone(forced.id);
    expect(existsSync(isoPath(forced.id))).toBe(false);
  });
});
