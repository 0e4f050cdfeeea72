import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@nova/common';
import { Cloud } from '../support/cloud';
import {
  ADMIN_PASSWORD,
  KeystoneFixture,
  projectToken,
  type KeystoneUser,
} from '../support/keystone';
import { query } from '../support/mysql';
import { neutron, neutronOk, openstackSections } from '../support/neutron';
import { NeutronProxy } from '../support/neutron-proxy';
import { ServiceProcess } from '../support/service-process';

/**
 * Servers on Neutron ports (real Keystone, neutron-server and separate nova
 * processes): the NICs a create asks for become ports with Nova's device and
 * binding fields, shown in addresses and ips in the order asked; the user's
 * ports are only released on delete, ours deleted; Nova's faults for bad
 * networks, ports, addresses and the port quota; Neutron failing in the
 * middle of a build leaves an ERROR server and nothing behind.
 */
describe('servers on Neutron ports (separate processes)', () => {
  let cloud: Cloud;
  let proxy: NeutronProxy;
  let keystone: KeystoneFixture;
  let alice: KeystoneUser;
  let bob: KeystoneUser;
  let carol: KeystoneUser;
  let aliceToken: string;
  let bobToken: string;
  let carolToken: string;
  let adminToken: string;
  let netA: { id: string; name: string };
  let netB: { id: string; name: string };
  let bobNet: { id: string; name: string };
  let web: { id: string; name: string };
  const imageRef = '0b7e3a52-2f0c-4d3a-9f57-5d1c1e2a7b61';
  const flavorRef = 'ports-tiny';
  const as = (token: string, version = '2.1') => ({ as: { token }, version });

  const network = async (project: KeystoneUser, suffix: string, cidr: string) => {
    const name = `${keystone.prefix}-${suffix}`;
    const net = await neutronOk(adminToken, 'POST', '/networks', {
      network: { name, tenant_id: project.projectId },
    });
    await neutronOk(adminToken, 'POST', '/subnets', {
      subnet: { network_id: net.network.id, tenant_id: project.projectId, cidr, ip_version: 4 },
    });
    return { id: net.network.id as string, name };
  };

  beforeAll(async () => {
    keystone = await KeystoneFixture.start();
    alice = await keystone.user('alice', ['member', 'reader']);
    bob = await keystone.user('bob', ['member', 'reader']);
    carol = await keystone.user('carol', ['member', 'reader']);
    aliceToken = await projectToken(alice.name, alice.password, alice.project);
    bobToken = await projectToken(bob.name, bob.password, bob.project);
    carolToken = await projectToken(carol.name, carol.password, carol.project);
    adminToken = await projectToken('admin', ADMIN_PASSWORD, 'admin');
    netA = await network(alice, 'a', '10.31.1.0/24');
    netB = await network(alice, 'b', '10.31.2.0/24');
    bobNet = await network(bob, 'bob', '10.31.3.0/24');
    await network(carol, 'carol', '10.31.4.0/24');
    web = (
      await neutronOk(adminToken, 'POST', '/security-groups', {
        security_group: { name: 'web', tenant_id: alice.projectId },
      })
    ).security_group;
    proxy = await NeutronProxy.start();
    const catalog = join(mkdtempSync(join(tmpdir(), 'nova-images-')), 'images.json');
    writeFileSync(catalog, JSON.stringify([{ id: imageRef, name: 'cirros', status: 'active' }]));
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 1,
      extra: {
        ...openstackSections({ neutron: { endpoint_override: proxy.url } }),
        DEFAULT: { vif_plugging_timeout: '0' },
        glance: { local_catalog: catalog },
        quota: { instances: '-1', cores: '-1', ram: '-1' },
      },
    });
    const flavor = await cloud.api.post(
      '/v2.1/flavors',
      { flavor: { name: flavorRef, id: flavorRef, vcpus: 1, ram: 256, disk: 1 } },
      as(adminToken),
    );
    expect(flavor.status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
    await proxy?.close();
    for (const user of [alice, bob, carol].filter(Boolean)) {
      const ports = await neutronOk(adminToken, 'GET', `/ports?tenant_id=${user.projectId}`);
      for (const p of ports.ports) {
        await neutron(adminToken, 'DELETE', `/ports/${p.id}`);
      }
      const nets = await neutronOk(adminToken, 'GET', `/networks?tenant_id=${user.projectId}`);
      for (const n of nets.networks) {
        await neutron(adminToken, 'DELETE', `/networks/${n.id}`);
      }
      const groups = await neutronOk(
        adminToken,
        'GET',
        `/security-groups?tenant_id=${user.projectId}`,
      );
      for (const g of groups.security_groups) {
        await neutron(adminToken, 'DELETE', `/security-groups/${g.id}`);
      }
    }
    await keystone?.cleanup();
  });

  const boot = (token: string, server: Record<string, unknown>, version = '2.1') =>
    cloud.api.post(
      '/v2.1/servers',
      { server: { name: 'vm', imageRef, flavorRef, ...server } },
      as(token, version),
    );
  /** GET /servers/{id} as `token` until its status is `status` (404: 'gone'). */
  const waitFor = async (token: string, id: string, status: string) => {
    let last: unknown;
    for (let i = 0; i < 600; i++) {
      const res = await cloud.api.get(`/v2.1/servers/${id}`, as(token));
      last = res.body;
      if ((res.status === 404 && status === 'gone') || res.body?.server?.status === status) {
        return res.body?.server as Record<string, any>;
      }
      await sleep(50);
    }
    throw new Error(`server ${id} not ${status}: ${JSON.stringify(last)}\n${cloud.problems()}`);
  };
  const portsOf = async (id: string) =>
    (await neutronOk(adminToken, 'GET', `/ports?device_id=${id}`)).ports as Array<
      Record<string, any>
    >;
  const portOf = async (id: string) =>
    (await neutronOk(adminToken, 'GET', `/ports/${id}`)).port as Record<string, any>;
  const remove = async (token: string, id: string) => {
    expect((await cloud.api.delete(`/v2.1/servers/${id}`, as(token))).status).toBe(204);
    await waitFor(token, id, 'gone');
  };
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

  it('creates a port per network, in order, bound to the host, and deletes them with the server', async () => {
    const res = await boot(aliceToken, {
      networks: [{ uuid: netA.id }, { uuid: netB.id }],
      security_groups: [{ name: 'web' }],
    });
    expect(res.status).toBe(202);
    const id = res.body.server.id as string;
    const server = await waitFor(aliceToken, id, 'ACTIVE');
    const host = (await cloud.api.get(`/v2.1/servers/${id}`, as(adminToken))).body.server[
      'OS-EXT-SRV-ATTR:host'
    ];

    const ports = await portsOf(id);
    expect(ports).toHaveLength(2);
    for (const p of ports) {
      expect(p).toMatchObject({
        device_owner: 'compute:nova',
        'binding:host_id': host,
        tenant_id: alice.projectId,
        security_groups: [web.id],
      });
    }
    const onA = ports.find((p) => p.network_id === netA.id)!;
    const onB = ports.find((p) => p.network_id === netB.id)!;
    // The NICs in the order asked (Tempest's multi-NIC test), with Neutron's MACs and addresses.
    expect(Object.keys(server.addresses)).toEqual([netA.name, netB.name]);
    expect(server.addresses[netA.name]).toEqual([
      {
        version: 4,
        addr: onA.fixed_ips[0].ip_address,
        'OS-EXT-IPS:type': 'fixed',
        'OS-EXT-IPS-MAC:mac_addr': onA.mac_address,
      },
    ]);
    expect(server.addresses[netB.name][0].addr).toBe(onB.fixed_ips[0].ip_address);
    const ips = await cloud.api.get(`/v2.1/servers/${id}/ips`, as(aliceToken));
    expect(ips.body).toEqual({
      addresses: {
        [netA.name]: [{ version: 4, addr: onA.fixed_ips[0].ip_address }],
        [netB.name]: [{ version: 4, addr: onB.fixed_ips[0].ip_address }],
      },
    });
    const one = await cloud.api.get(`/v2.1/servers/${id}/ips/${netB.name}`, as(aliceToken));
    expect(one.body).toEqual({ [netB.name]: [{ version: 4, addr: onB.fixed_ips[0].ip_address }] });

    await remove(aliceToken, id);
    expect(await portsOf(id)).toEqual([]);
    expect((await neutron(adminToken, 'GET', `/ports/${onA.id}`)).status).toBe(404);
  });

  it("takes the user's port and a fixed IP, and only releases the port on delete", async () => {
    const own = (await neutronOk(aliceToken, 'POST', '/ports', { port: { network_id: netA.id } }))
      .port;
    const res = await boot(aliceToken, {
      networks: [{ port: own.id }, { uuid: netB.id, fixed_ip: '10.31.2.50' }],
    });
    expect(res.status).toBe(202);
    const id = res.body.server.id as string;
    const server = await waitFor(aliceToken, id, 'ACTIVE');
    expect(server.addresses[netA.name][0]).toMatchObject({
      addr: own.fixed_ips[0].ip_address,
      'OS-EXT-IPS-MAC:mac_addr': own.mac_address,
    });
    expect(server.addresses[netB.name][0].addr).toBe('10.31.2.50');
    expect(await portOf(own.id)).toMatchObject({ device_id: id, device_owner: 'compute:nova' });

    // The address and the port are taken now.
    const taken = await boot(aliceToken, { networks: [{ uuid: netB.id, fixed_ip: '10.31.2.50' }] });
    expect(taken.body).toEqual({
      badRequest: {
        code: 400,
        message: `Fixed IP address 10.31.2.50 is already in use on instance ${id}.`,
      },
    });
    const inUse = await boot(aliceToken, { networks: [{ port: own.id }] });
    expect(inUse.body).toEqual({
      conflictingRequest: { code: 409, message: `Port ${own.id} is still in use.` },
    });

    await remove(aliceToken, id);
    expect(await portOf(own.id)).toMatchObject({
      device_id: '',
      device_owner: '',
      'binding:host_id': '',
    });
    expect(await portsOf(id)).toEqual([]);
  });

  it('auto, none and nothing asked pick the networks as Nova does', async () => {
    // Bob has one network: auto takes it.
    const auto = await boot(bobToken, { networks: 'auto' }, '2.37');
    expect(auto.status).toBe(202);
    const autoServer = await waitFor(bobToken, auto.body.server.id, 'ACTIVE');
    expect(Object.keys(autoServer.addresses)).toEqual([bobNet.name]);
    const none = await boot(bobToken, { networks: 'none' }, '2.37');
    const noneServer = await waitFor(bobToken, none.body.server.id, 'ACTIVE');
    expect(noneServer.addresses).toEqual({});
    expect(await portsOf(noneServer.id)).toEqual([]);

    // Alice has two: which one is ambiguous.
    const ambiguous = await boot(aliceToken, { networks: 'auto' }, '2.37');
    expect(ambiguous.body).toEqual({
      conflictingRequest: {
        code: 409,
        message: 'Multiple possible networks found, use a Network ID to be more specific.',
      },
    });
    const defaulted = await boot(aliceToken, {});
    expect(defaulted.status).toBe(409);

    // A project with no network, and a Neutron without auto-allocated topologies.
    const lonely = await keystone.user('lonely', ['member']);
    const lonelyToken = await projectToken(lonely.name, lonely.password, lonely.project);
    const unable = await boot(lonelyToken, { networks: 'auto' }, '2.37');
    expect(unable.body).toEqual({
      badRequest: {
        code: 400,
        message: `Unable to automatically allocate a network for project ${lonely.projectId}`,
      },
    });
    await remove(bobToken, autoServer.id);
    await remove(bobToken, noneServer.id);
  });

  it("answers Nova's faults for networks and ports it cannot use", async () => {
    const unknownNet = 'a0c7f3d2-1b1e-4c44-9a43-5b7a3a2a9f10';
    expect((await boot(aliceToken, { networks: [{ uuid: unknownNet }] })).body).toEqual({
      badRequest: { code: 400, message: `Network ${unknownNet} could not be found.` },
    });
    // Bob's network is not Alice's to use.
    expect((await boot(aliceToken, { networks: [{ uuid: bobNet.id }] })).body).toEqual({
      badRequest: { code: 400, message: `Network ${bobNet.id} could not be found.` },
    });
    const unknownPort = '5d2f1c7a-8f42-4e0c-b3a1-0c9e8d7f6a51';
    expect((await boot(aliceToken, { networks: [{ port: unknownPort }] })).body).toEqual({
      badRequest: { code: 400, message: `Port id ${unknownPort} could not be found.` },
    });
    const unknownGroup = await boot(aliceToken, {
      networks: [{ uuid: netA.id }],
      security_groups: [{ name: 'nope' }],
    });
    expect(unknownGroup.body).toEqual({
      badRequest: { code: 400, message: 'Security group nope not found.' },
    });
  });

  it('checks the port quota before the build (403 as Nova)', async () => {
    const carolNet = (await neutronOk(adminToken, 'GET', `/networks?tenant_id=${carol.projectId}`))
      .networks[0].id as string;
    await neutronOk(adminToken, 'PUT', `/quotas/${carol.projectId}`, { quota: { port: 1 } });
    const two = await boot(carolToken, { networks: [{ uuid: carolNet }, { uuid: carolNet }] });
    expect(two.body).toEqual({
      forbidden: { code: 403, message: 'Maximum number of ports exceeded' },
    });
    const many = await boot(carolToken, { networks: [{ uuid: carolNet }], min_count: 2 });
    expect(many.status).toBe(403);
    expect(await neutronOk(adminToken, 'GET', `/ports?tenant_id=${carol.projectId}`)).toEqual({
      ports: [],
    });
    // max_count is cut to what the quota leaves.
    const fits = await boot(carolToken, {
      networks: [{ uuid: carolNet }],
      min_count: 1,
      max_count: 3,
      return_reservation_id: true,
    });
    expect(fits.status).toBe(202);
    const listed = await cloud.api.get(
      `/v2.1/servers/detail?reservation_id=${fits.body.reservation_id}`,
      as(carolToken),
    );
    expect(listed.body.servers).toHaveLength(1);
    const id = listed.body.servers[0].id as string;
    await waitFor(carolToken, id, 'ACTIVE');
    await remove(carolToken, id);
  });

  it('Neutron failing mid-create: ERROR with a fault, no port, no allocation left', async () => {
    // The second port create breaks: the first port is deleted again.
    proxy.fault = { kind: 'error-after', passing: 1 };
    const broken = await boot(aliceToken, { networks: [{ uuid: netA.id }, { uuid: netB.id }] });
    expect(broken.status).toBe(202);
    const id = broken.body.server.id as string;
    const server = await waitFor(aliceToken, id, 'ERROR');
    proxy.reset();
    const fault = (await cloud.api.get(`/v2.1/servers/${id}`, as(adminToken))).body.server.fault;
    expect(fault.code).toBe(500);
    expect(fault.message).toMatch(
      /^Build of instance .* aborted: The network service is unavailable/,
    );
    expect(server.addresses).toEqual({});
    expect(await portsOf(id)).toEqual([]);
    expect(await allocations(id)).toBe(0);

    // Neutron gone altogether when the ports are made.
    proxy.fault = { kind: 'down' };
    const down = await boot(aliceToken, { networks: [{ uuid: netA.id }] });
    const downId = down.body.server.id as string;
    await waitFor(aliceToken, downId, 'ERROR');
    proxy.reset();
    expect(await portsOf(downId)).toEqual([]);
    expect(await allocations(downId)).toBe(0);
    // Reads answer from our records meanwhile, and the servers go.
    proxy.fault = { kind: 'down' };
    expect((await cloud.api.get(`/v2.1/servers/${downId}`, as(aliceToken))).status).toBe(200);
    proxy.reset();
    await remove(aliceToken, id);
    await remove(aliceToken, downId);
  });

  it('os-interface lists, attaches (network, address, tag, port) and detaches ports', async () => {
    const res = await boot(aliceToken, { networks: [{ uuid: netA.id, tag: 'first' }] }, '2.42');
    expect(res.status).toBe(202);
    const id = res.body.server.id as string;
    await waitFor(aliceToken, id, 'ACTIVE');
    const iface = `/v2.1/servers/${id}/os-interface`;
    const [first] = await portsOf(id);

    const listed = await cloud.api.get(iface, as(aliceToken, '2.70'));
    expect(listed.body).toEqual({
      interfaceAttachments: [
        {
          net_id: netA.id,
          port_id: first.id,
          mac_addr: first.mac_address,
          port_state: first.status,
          fixed_ips: first.fixed_ips,
          tag: 'first',
        },
      ],
    });
    // Before 2.70 there is no tag in the view.
    const old = await cloud.api.get(`${iface}/${first.id}`, as(aliceToken));
    expect(old.body.interfaceAttachment).not.toHaveProperty('tag');

    const added = await cloud.api.post(
      iface,
      {
        interfaceAttachment: {
          net_id: netB.id,
          fixed_ips: [{ ip_address: '10.31.2.77' }],
          tag: 'second',
        },
      },
      as(aliceToken, '2.49'),
    );
    expect(added.status).toBe(200);
    const second = added.body.interfaceAttachment;
    expect(second).toMatchObject({
      net_id: netB.id,
      fixed_ips: [{ ip_address: '10.31.2.77' }],
    });
    expect(await portOf(second.port_id)).toMatchObject({
      device_id: id,
      device_owner: 'compute:nova',
    });
    const shown = await cloud.api.get(`${iface}/${second.port_id}`, as(aliceToken, '2.70'));
    expect(shown.body.interfaceAttachment.tag).toBe('second');
    let server = (await cloud.api.get(`/v2.1/servers/${id}`, as(aliceToken))).body.server;
    expect(Object.keys(server.addresses)).toEqual([netA.name, netB.name]);
    expect(server.addresses[netB.name][0].addr).toBe('10.31.2.77');

    const own = (await neutronOk(aliceToken, 'POST', '/ports', { port: { network_id: netA.id } }))
      .port;
    const byPort = await cloud.api.post(
      iface,
      { interfaceAttachment: { port_id: own.id } },
      as(aliceToken),
    );
    expect(byPort.status).toBe(200);
    expect(byPort.body.interfaceAttachment.port_id).toBe(own.id);

    // Nova's faults.
    const both = await cloud.api.post(
      iface,
      { interfaceAttachment: { port_id: own.id, net_id: netA.id } },
      as(aliceToken),
    );
    expect(both.body).toEqual({
      badRequest: { code: 400, message: 'Must not input both network_id and port_id' },
    });
    const ipAlone = await cloud.api.post(
      iface,
      { interfaceAttachment: { fixed_ips: [{ ip_address: '10.31.1.9' }] } },
      as(aliceToken),
    );
    expect(ipAlone.body).toEqual({
      badRequest: { code: 400, message: 'Must input network_id when request IP address' },
    });
    const unknownNet = 'c3f0e2a1-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
    const noNet = await cloud.api.post(
      iface,
      { interfaceAttachment: { net_id: unknownNet } },
      as(aliceToken),
    );
    expect(noNet.body).toEqual({
      itemNotFound: { code: 404, message: `Network ${unknownNet} could not be found.` },
    });
    const again = await cloud.api.post(
      iface,
      { interfaceAttachment: { port_id: own.id } },
      as(aliceToken),
    );
    expect(again.body).toEqual({
      conflictingRequest: { code: 409, message: `Port ${own.id} is still in use.` },
    });
    const tagTooEarly = await cloud.api.post(
      iface,
      { interfaceAttachment: { net_id: netA.id, tag: 'x' } },
      as(aliceToken, '2.48'),
    );
    expect(tagTooEarly.status).toBe(400);

    // Detach: ours deleted, the user's released; unknown ones 404.
    expect((await cloud.api.delete(`${iface}/${second.port_id}`, as(aliceToken))).status).toBe(202);
    expect((await neutron(adminToken, 'GET', `/ports/${second.port_id}`)).status).toBe(404);
    expect((await cloud.api.delete(`${iface}/${own.id}`, as(aliceToken))).status).toBe(202);
    expect(await portOf(own.id)).toMatchObject({ device_id: '', device_owner: '' });
    const notAttached = await cloud.api.delete(`${iface}/${own.id}`, as(aliceToken));
    expect(notAttached.body).toEqual({
      itemNotFound: { code: 404, message: `Port ${own.id} is not attached` },
    });
    const foreign = await cloud.api.get(`${iface}/${own.id}`, as(aliceToken));
    expect(foreign.body).toEqual({
      itemNotFound: {
        code: 404,
        message: `Instance ${id} does not have a port with id ${own.id}`,
      },
    });
    server = (await cloud.api.get(`/v2.1/servers/${id}`, as(aliceToken))).body.server;
    expect(Object.keys(server.addresses)).toEqual([netA.name]);
    expect((await cloud.api.get(iface, as(aliceToken))).body.interfaceAttachments).toHaveLength(1);
    await remove(aliceToken, id);
  });

  it("security groups follow the server's ports; one in use cannot be deleted", async () => {
    const db = (
      await cloud.api.post(
        '/v2.1/os-security-groups',
        { security_group: { name: 'db', description: 'db' } },
        as(aliceToken),
      )
    ).body.security_group;
    const res = await boot(aliceToken, { networks: [{ uuid: netA.id }] });
    const id = res.body.server.id as string;
    await waitFor(aliceToken, id, 'ACTIVE');
    const act = (body: unknown) =>
      cloud.api.post(`/v2.1/servers/${id}/action`, body, as(aliceToken));
    expect((await act({ addSecurityGroup: { name: 'db' } })).status).toBe(202);
    const [port] = await portsOf(id);
    expect(port.security_groups).toContain(db.id);
    expect(port.security_groups).toHaveLength(2); // default and db
    const listed = await cloud.api.get(`/v2.1/servers/${id}/os-security-groups`, as(aliceToken));
    expect(listed.body.security_groups.map((g: { name: string }) => g.name)).toEqual([
      'default',
      'db',
    ]);
    // In use on a port: Neutron refuses, Nova answers 400 (Tempest test_server_security_groups).
    const inUse = await cloud.api.delete(`/v2.1/os-security-groups/${db.id}`, as(aliceToken));
    expect(inUse.status).toBe(400);
    expect(inUse.body.badRequest.message).toMatch(/in use/);

    expect((await act({ removeSecurityGroup: { name: 'db' } })).status).toBe(202);
    expect((await portOf(port.id)).security_groups).not.toContain(db.id);
    expect(
      (await cloud.api.delete(`/v2.1/os-security-groups/${db.id}`, as(aliceToken))).status,
    ).toBe(202);
    await remove(aliceToken, id);
  });

  it("network_data.json describes the server's ports", async () => {
    const secret = 'ports-proxy-secret';
    const metadata = new ServiceProcess('nova-api-metadata', ['--config-file', cloud.configFile], {
      OS_DEFAULT__METADATA_LISTEN: '127.0.0.1',
      OS_DEFAULT__METADATA_LISTEN_PORT: '0',
      OS_NEUTRON__SERVICE_METADATA_PROXY: 'true',
      OS_NEUTRON__METADATA_PROXY_SHARED_SECRET: secret,
    });
    try {
      const started = (l: { msg: unknown }) =>
        typeof l.msg === 'string' && l.msg.startsWith('metadata service listening');
      await metadata.waitFor(started);
      const url = `http://127.0.0.1:${String(metadata.lines.find(started)!['port'])}`;
      const res = await boot(aliceToken, { networks: [{ uuid: netA.id }, { uuid: netB.id }] });
      const id = res.body.server.id as string;
      await waitFor(aliceToken, id, 'ACTIVE');
      const ports = await portsOf(id);
      const onA = ports.find((p) => p.network_id === netA.id)!;
      const onB = ports.find((p) => p.network_id === netB.id)!;
      const answer = await fetch(`${url}/openstack/latest/network_data.json`, {
        headers: {
          'X-Instance-ID': id,
          'X-Tenant-ID': alice.projectId,
          'X-Instance-ID-Signature': createHmac('sha256', secret).update(id).digest('hex'),
        },
      });
      expect(answer.status).toBe(200);
      const data = (await answer.json()) as {
        links: Array<Record<string, unknown>>;
        networks: Array<Record<string, unknown>>;
      };
      expect(data.links.map((l) => [l['vif_id'], l['ethernet_mac_address']])).toEqual([
        [onA.id, onA.mac_address],
        [onB.id, onB.mac_address],
      ]);
      expect(data.networks).toEqual([
        expect.objectContaining({
          type: 'ipv4',
          ip_address: onA.fixed_ips[0].ip_address,
          netmask: '255.255.255.0',
          network_id: netA.id,
          routes: [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.31.1.1' }],
        }),
        expect.objectContaining({ ip_address: onB.fixed_ips[0].ip_address, network_id: netB.id }),
      ]);
      await remove(aliceToken, id);
    } finally {
      await metadata.stop();
    }
  });

  it('floating IPs (proxies until 2.35, actions until 2.43) over Neutron, shown in addresses', async () => {
    const pool = `${keystone.prefix}-ext`;
    const ext = (
      await neutronOk(adminToken, 'POST', '/networks', {
        network: { name: pool, 'router:external': true },
      })
    ).network;
    await neutronOk(adminToken, 'POST', '/subnets', {
      subnet: { network_id: ext.id, cidr: '203.0.113.0/24', ip_version: 4 },
    });
    // Alice's network reaches the external one through her router (Neutron's rule for floating IPs).
    const router = (
      await neutronOk(adminToken, 'POST', '/routers', {
        router: {
          name: `${keystone.prefix}-r`,
          tenant_id: alice.projectId,
          external_gateway_info: { network_id: ext.id },
        },
      })
    ).router;
    const subnetA = (await neutronOk(adminToken, 'GET', `/subnets?network_id=${netA.id}`))
      .subnets[0].id as string;
    await neutronOk(adminToken, 'PUT', `/routers/${router.id}/add_router_interface`, {
      subnet_id: subnetA,
    });
    const res = await boot(aliceToken, { networks: [{ uuid: netA.id }] });
    const id = res.body.server.id as string;
    let fipId: string | undefined;
    try {
      const pools = await cloud.api.get('/v2.1/os-floating-ip-pools', as(aliceToken));
      expect(pools.status).toBe(200);
      expect(pools.body.floating_ip_pools).toContainEqual({ name: pool });
      for (const path of ['/v2.1/os-floating-ip-pools', '/v2.1/os-floating-ips']) {
        expect((await cloud.api.get(path, as(aliceToken, '2.36'))).status).toBe(404);
      }

      const allocated = await cloud.api.post('/v2.1/os-floating-ips', { pool }, as(aliceToken));
      expect(allocated.status).toBe(200);
      const fip = allocated.body.floating_ip;
      fipId = fip.id as string;
      expect(fip).toEqual({ id: fip.id, ip: fip.ip, pool, fixed_ip: null, instance_id: null });
      expect(fip.ip).toMatch(/^203\.0\.113\./);
      const listed = await cloud.api.get('/v2.1/os-floating-ips', as(aliceToken));
      expect(listed.body.floating_ips).toEqual([fip]);
      expect((await cloud.api.get('/v2.1/os-floating-ips', as(bobToken))).body).toEqual({
        floating_ips: [],
      });

      const server = await waitFor(aliceToken, id, 'ACTIVE');
      const fixed = server.addresses[netA.name][0].addr as string;
      const mac = server.addresses[netA.name][0]['OS-EXT-IPS-MAC:mac_addr'] as string;
      const [port] = await portsOf(id);
      const act = (body: unknown, version = '2.1') =>
        cloud.api.post(`/v2.1/servers/${id}/action`, body, as(aliceToken, version));
      const floatingEntry = {
        version: 4,
        addr: fip.ip,
        'OS-EXT-IPS:type': 'floating',
        'OS-EXT-IPS-MAC:mac_addr': mac,
      };
      const addressesNow = async () =>
        (await cloud.api.get(`/v2.1/servers/${id}`, as(aliceToken))).body.server.addresses[
          netA.name
        ] as unknown[];

      const add = { addFloatingIp: { address: fip.ip, fixed_address: fixed } };
      expect((await act(add, '2.44')).status).toBe(404);
      expect((await act({ addFloatingIp: { address: '203.0.113.250' } }, '2.43')).body).toEqual({
        itemNotFound: { code: 404, message: 'floating IP not found' },
      });
      const notMine = await act({
        addFloatingIp: { address: fip.ip, fixed_address: '10.99.0.1' },
      });
      expect(notMine.body).toEqual({
        badRequest: { code: 400, message: 'Specified fixed address not assigned to instance' },
      });
      expect((await act({ addFloatingIp: { address: 'not-an-ip' } })).status).toBe(400);

      expect((await act(add, '2.43')).status).toBe(202);
      const mapped = await neutronOk(adminToken, 'GET', `/floatingips/${fip.id}`);
      expect(mapped.floatingip).toMatchObject({ port_id: port.id, fixed_ip_address: fixed });
      expect(await addressesNow()).toEqual([
        expect.objectContaining({ addr: fixed, 'OS-EXT-IPS:type': 'fixed' }),
        floatingEntry,
      ]);
      const shown = await cloud.api.get(`/v2.1/os-floating-ips/${fip.id}`, as(aliceToken));
      expect(shown.body.floating_ip).toEqual({ ...fip, fixed_ip: fixed, instance_id: id });
      const ips = await cloud.api.get(`/v2.1/servers/${id}/ips/${netA.name}`, as(aliceToken));
      expect(ips.body[netA.name]).toEqual([
        { version: 4, addr: fixed },
        { version: 4, addr: fip.ip },
      ]);

      expect((await act({ removeFloatingIp: { address: fip.ip } }, '2.44')).status).toBe(404);
      expect((await act({ removeFloatingIp: { address: fip.ip } })).status).toBe(202);
      expect(await addressesNow()).toEqual([expect.objectContaining({ addr: fixed })]);
      expect((await act({ removeFloatingIp: { address: fip.ip } })).status).toBe(409);
      expect((await act({ removeFloatingIp: { address: '203.0.113.250' } })).status).toBe(404);

      // Mapped through Neutron itself: Neutron's network-changed event refreshes addresses.
      const event = { events: [{ name: 'network-changed', server_uuid: id, tag: port.id }] };
      await neutronOk(aliceToken, 'PUT', `/floatingips/${fip.id}`, {
        floatingip: { port_id: port.id },
      });
      expect(await addressesNow()).toHaveLength(1);
      const told = await cloud.api.post('/v2.1/os-server-external-events', event, as(adminToken));
      expect(told.status).toBe(200);
      expect(await addressesNow()).toEqual([
        expect.objectContaining({ addr: fixed }),
        floatingEntry,
      ]);
      await neutronOk(aliceToken, 'PUT', `/floatingips/${fip.id}`, {
        floatingip: { port_id: null },
      });
      await cloud.api.post('/v2.1/os-server-external-events', event, as(adminToken));
      expect(await addressesNow()).toHaveLength(1);

      const released = await cloud.api.delete(`/v2.1/os-floating-ips/${fip.id}`, as(aliceToken));
      expect(released.status).toBe(202);
      expect((await neutron(adminToken, 'GET', `/floatingips/${fip.id}`)).status).toBe(404);
      fipId = undefined;
      expect(
        (await cloud.api.delete(`/v2.1/os-floating-ips/${fip.id}`, as(aliceToken))).status,
      ).toBe(404);
    } finally {
      await remove(aliceToken, id);
      if (fipId) {
        await neutron(adminToken, 'DELETE', `/floatingips/${fipId}`);
      }
      await neutron(adminToken, 'PUT', `/routers/${router.id}/remove_router_interface`, {
        subnet_id: subnetA,
      });
      await neutron(adminToken, 'DELETE', `/routers/${router.id}`);
      await neutron(adminToken, 'DELETE', `/networks/${ext.id}`);
    }
  });

  describe('waiting for network-vif-plugged', () => {
    const vifHost = 'cell1-vif';

    beforeAll(async () => {
      // A host that waits (the others do not: no agent ever sends the event).
      cloud.startCompute('cell1', vifHost, {
        OS_DEFAULT__VIF_PLUGGING_TIMEOUT: '300',
        OS_DEFAULT__VIF_PLUGGING_IS_FATAL: 'true',
      });
      await cloud.waitForHosts(2);
    }, 60_000);

    /** An admin's server on the waiting host, and its port once it waits in spawning. */
    const bootWaiting = async () => {
      const res = await boot(adminToken, { networks: [{ uuid: netA.id }], host: vifHost }, '2.74');
      expect(res.status).toBe(202);
      const id = res.body.server.id as string;
      let server: Record<string, any> = {};
      for (let i = 0; i < 600 && server['OS-EXT-STS:task_state'] !== 'spawning'; i++) {
        server = (await cloud.api.get(`/v2.1/servers/${id}`, as(adminToken))).body.server;
        await sleep(50);
      }
      expect(server['OS-EXT-STS:task_state']).toBe('spawning');
      const [port] = await portsOf(id);
      return { id, port };
    };
    const event = (id: string, tag: string, status: string) =>
      cloud.api.post(
        '/v2.1/os-server-external-events',
        { events: [{ name: 'network-vif-plugged', server_uuid: id, tag, status }] },
        as(adminToken),
      );

    it('the build waits for the event and goes ACTIVE when it comes', async () => {
      const { id, port } = await bootWaiting();
      expect(port['binding:host_id']).toBe(vifHost);
      // The guest is up; without the event the server stays in BUILD.
      const waiting = (await cloud.api.get(`/v2.1/servers/${id}`, as(adminToken))).body.server;
      expect(waiting.status).toBe('BUILD');
      const sent = await event(id, port.id, 'completed');
      expect(sent.status).toBe(200);
      expect(sent.body.events[0]).toMatchObject({ code: 200, status: 'completed', tag: port.id });
      await waitFor(adminToken, id, 'ACTIVE');
      await remove(adminToken, id);
    });

    it('a failed plug aborts the build: ERROR, its ports and allocation released', async () => {
      const { id, port } = await bootWaiting();
      expect((await event(id, port.id, 'failed')).status).toBe(200);
      const server = await waitFor(adminToken, id, 'ERROR');
      expect(server.fault).toMatchObject({
        code: 500,
        message: `Build of instance ${id} aborted: Virtual Interface creation failed`,
      });
      expect(await portsOf(id)).toEqual([]);
      expect(await allocations(id)).toBe(0);
      expect(server.addresses).toEqual({});
      await remove(adminToken, id);
    });

    it('moves rebind the ports; shelve offload unbinds them, unshelve binds them again', async () => {
      const res = await boot(
        adminToken,
        { networks: [{ uuid: netA.id }, { uuid: netB.id }], host: 'cell1-c1' },
        '2.74',
      );
      const id = res.body.server.id as string;
      await waitFor(adminToken, id, 'ACTIVE');
      const bindings = async () =>
        (await portsOf(id)).map((p) => p['binding:host_id'] as string).sort();
      expect(await bindings()).toEqual(['cell1-c1', 'cell1-c1']);
      const act = (body: unknown, version = '2.1') =>
        cloud.api.post(`/v2.1/servers/${id}/action`, body, as(adminToken, version));

      expect((await act({ migrate: { host: vifHost } }, '2.56')).status).toBe(202);
      await waitFor(adminToken, id, 'VERIFY_RESIZE');
      expect(await bindings()).toEqual([vifHost, vifHost]);
      expect((await act({ confirmResize: null })).status).toBe(204);
      await waitFor(adminToken, id, 'ACTIVE');

      expect((await act({ shelve: null })).status).toBe(202);
      await waitFor(adminToken, id, 'SHELVED_OFFLOADED');
      expect(await bindings()).toEqual(['', '']);
      expect((await act({ unshelve: { host: 'cell1-c1' } }, '2.91')).status).toBe(202);
      await waitFor(adminToken, id, 'ACTIVE');
      expect(await bindings()).toEqual(['cell1-c1', 'cell1-c1']);
      await remove(adminToken, id);
    });
  });
});
