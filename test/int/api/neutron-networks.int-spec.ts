import { ApiClient } from '../../support/api-client';
import { redisCache } from '../../support/config';
import { TestDeployment } from '../../support/deployment';
import {
  ADMIN_PASSWORD,
  KeystoneFixture,
  projectToken,
  type KeystoneUser,
} from '../../support/keystone';
import { neutron, neutronOk, openstackSections } from '../../support/neutron';

/** Nova has no fault name for 410: computeFault. */
const GONE = {
  code: 410,
  message: 'This resource is no longer available. No forwarding address is given.',
};
const USER_FIELDS = [
  'id',
  'cidr',
  'netmask',
  'gateway',
  'broadcast',
  'dns1',
  'dns2',
  'cidr_v6',
  'gateway_v6',
  'label',
  'netmask_v6',
];

/**
 * os-networks and os-tenant-networks against the real Keystone and
 * neutron-server: Neutron's networks in nova-network's shape, with the users'
 * tokens; and the same APIs with noauth2 (service user, scoped to the caller's
 * project) and without Neutron (the flat network).
 */
describe('network proxies (real Keystone + Neutron)', () => {
  let d: TestDeployment;
  let keystone: KeystoneFixture;
  let api: ApiClient;
  let alice: KeystoneUser;
  let bob: KeystoneUser;
  let aliceToken: string;
  let bobToken: string;
  let adminToken: string;
  const created: string[] = [];
  let aliceNet: string;
  let sharedNet: string;
  let bobNet: string;
  const as = (token: string, version = '2.1') => ({ as: { token }, version });

  const network = async (name: string, project: string, cidrs: string[], shared = false) => {
    const net = await neutronOk(adminToken, 'POST', '/networks', {
      network: { name, tenant_id: project, shared },
    });
    created.push(net.network.id);
    for (const cidr of cidrs) {
      const v6 = cidr.includes(':');
      await neutronOk(adminToken, 'POST', '/subnets', {
        subnet: {
          network_id: net.network.id,
          tenant_id: project,
          cidr,
          ip_version: v6 ? 6 : 4,
          ...(v6 ? {} : { dns_nameservers: ['192.0.2.53'] }),
        },
      });
    }
    return net.network.id as string;
  };

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: [] });
    keystone = await KeystoneFixture.start();
    alice = await keystone.user('alice', ['member', 'reader']);
    bob = await keystone.user('bob', ['member', 'reader']);
    aliceToken = await projectToken(alice.name, alice.password, alice.project);
    bobToken = await projectToken(bob.name, bob.password, bob.project);
    adminToken = await projectToken('admin', ADMIN_PASSWORD, 'admin');
    aliceNet = await network(`${keystone.prefix}-alice`, alice.projectId, [
      '192.168.50.0/24',
      'fd00:50::/64',
    ]);
    bobNet = await network(`${keystone.prefix}-bob`, bob.projectId, ['192.168.60.0/24']);
    sharedNet = await network(`${keystone.prefix}-shared`, bob.projectId, ['172.31.7.0/24'], true);
    api = await ApiClient.start({ ...d.sections, cache: redisCache(d.id), ...openstackSections() });
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    for (const id of created) {
      await neutron(adminToken, 'DELETE', `/networks/${id}`);
    }
    await keystone?.cleanup();
    await d?.cleanup();
  });

  it("os-tenant-networks: the caller's project's networks as id, label, cidr", async () => {
    const res = await api.get('/v2.1/os-tenant-networks', as(aliceToken));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      networks: [{ id: aliceNet, label: `${keystone.prefix}-alice`, cidr: '192.168.50.0/24' }],
    });
    const show = await api.get(`/v2.1/os-tenant-networks/${aliceNet}`, as(aliceToken));
    expect(show.body).toEqual({
      network: { id: aliceNet, label: `${keystone.prefix}-alice`, cidr: '192.168.50.0/24' },
    });
    const foreign = await api.get(`/v2.1/os-tenant-networks/${bobNet}`, as(aliceToken));
    expect(foreign.body).toEqual({ itemNotFound: { code: 404, message: 'Network not found' } });
  });

  it('os-networks: what the caller sees, with the subnets as addressing; admins get more', async () => {
    const res = await api.get('/v2.1/os-networks', as(aliceToken));
    expect(res.status).toBe(200);
    const ids = res.body.networks.map((n: { id: string }) => n.id);
    expect(ids).toEqual(expect.arrayContaining([aliceNet, sharedNet]));
    expect(ids).not.toContain(bobNet);
    const mine = res.body.networks.find((n: { id: string }) => n.id === aliceNet);
    expect(Object.keys(mine).sort()).toEqual([...USER_FIELDS].sort());
    expect(mine).toEqual({
      id: aliceNet,
      label: `${keystone.prefix}-alice`,
      cidr: '192.168.50.0/24',
      netmask: '255.255.255.0',
      gateway: '192.168.50.1',
      broadcast: '192.168.50.255',
      dns1: '192.0.2.53',
      dns2: null,
      cidr_v6: 'fd00:50::/64',
      gateway_v6: 'fd00:50::', // Neutron's default IPv6 gateway
      netmask_v6: '64',
    });

    const admin = await api.get(`/v2.1/os-networks/${aliceNet}`, as(adminToken));
    expect(admin.status).toBe(200);
    expect(admin.body.network).toMatchObject({
      ...mine,
      project_id: alice.projectId,
      dhcp_start: '192.168.50.2',
      enable_dhcp: true,
      mtu: expect.any(Number),
      deleted: false,
      multi_host: false,
      bridge: null,
      vpn_public_address: null,
    });

    const unknown = await api.get(
      '/v2.1/os-networks/c0ffee00-0000-4000-8000-000000000000',
      as(aliceToken),
    );
    expect(unknown.body).toEqual({ itemNotFound: { code: 404, message: 'Network not found' } });
    expect((await api.get(`/v2.1/os-networks/${bobNet}`, as(aliceToken))).status).toBe(404);
    expect((await api.get(`/v2.1/os-networks/${bobNet}`, as(bobToken))).status).toBe(200);
  });

  it('writes are 410; everything is 404 from 2.36', async () => {
    const writes: Array<[string, string, unknown]> = [
      ['POST', '/v2.1/os-networks', { network: { label: 'x' } }],
      ['POST', '/v2.1/os-networks/add', { id: aliceNet }],
      ['DELETE', `/v2.1/os-networks/${aliceNet}`, undefined],
      ['POST', `/v2.1/os-networks/${aliceNet}/action`, { disassociate: null }],
      ['POST', `/v2.1/os-networks/${aliceNet}/action`, { associate_host: 'h' }],
      ['POST', '/v2.1/os-tenant-networks', { network: { label: 'x' } }],
      ['DELETE', `/v2.1/os-tenant-networks/${aliceNet}`, undefined],
    ];
    for (const [method, url, body] of writes) {
      const res = await api.request(method, url, { ...as(adminToken), body });
      expect({ method, url, body: res.body }).toEqual({
        method,
        url,
        body: { computeFault: GONE },
      });
      const later = await api.request(method, url, { ...as(adminToken, '2.36'), body });
      expect({ method, url, status: later.status }).toEqual({ method, url, status: 404 });
    }
    for (const url of ['/v2.1/os-networks', '/v2.1/os-tenant-networks']) {
      expect((await api.get(url, as(aliceToken, '2.36'))).status).toBe(404);
      expect((await api.get(url, as(aliceToken, '2.35'))).status).toBe(200);
    }
    // The network is still there: nothing was deleted.
    expect((await neutron(adminToken, 'GET', `/networks/${aliceNet}`)).status).toBe(200);
  });

  it("with noauth2 the service user acts, scoped to the caller's project", async () => {
    const noauth = await ApiClient.start({
      ...d.sections,
      ...openstackSections(),
      api: { auth_strategy: 'noauth2' },
    });
    try {
      const caller = { as: { token: `someone:${alice.projectId}`, roles: 'member,reader' } };
      const nets = await noauth.get('/v2.1/os-tenant-networks', caller);
      expect(nets.body.networks.map((n: { id: string }) => n.id)).toEqual([aliceNet]);
      const visible = await noauth.get('/v2.1/os-networks', caller);
      const ids = visible.body.networks.map((n: { id: string }) => n.id);
      expect(ids).toEqual(expect.arrayContaining([aliceNet, sharedNet]));
      expect(ids).not.toContain(bobNet);
      expect((await noauth.get(`/v2.1/os-networks/${bobNet}`, caller)).status).toBe(404);

      const groups = await noauth.get('/v2.1/os-security-groups', caller);
      expect(groups.body.security_groups.map((g: { tenant_id: string }) => g.tenant_id)).toEqual([
        alice.projectId,
      ]);
      const created = await noauth.post(
        '/v2.1/os-security-groups',
        { security_group: { name: 'svc', description: 'made by the service user' } },
        caller,
      );
      expect(created.body.security_group.tenant_id).toBe(alice.projectId);
      const bobs = await neutronOk(
        adminToken,
        'GET',
        `/security-groups?tenant_id=${bob.projectId}`,
      );
      const bobDefault = bobs.security_groups[0].id;
      // Another project's group is not found, though the service user could see it.
      expect((await noauth.get(`/v2.1/os-security-groups/${bobDefault}`, caller)).status).toBe(404);
      expect(
        (await noauth.delete(`/v2.1/os-security-groups/${created.body.security_group.id}`, caller))
          .status,
      ).toBe(202);
    } finally {
      await noauth.close();
      for (const user of [alice, bob]) {
        const groups = await neutronOk(
          adminToken,
          'GET',
          `/security-groups?tenant_id=${user.projectId}`,
        );
        for (const g of groups.security_groups) {
          await neutron(adminToken, 'DELETE', `/security-groups/${g.id}`);
        }
      }
    }
  });
});

describe('network proxies without Neutron (the flat network)', () => {
  let d: TestDeployment;
  let api: ApiClient;
  const member = { as: 'member' as const };

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: false, cells: [] });
    api = await ApiClient.start({
      ...d.sections,
      flat_network: { name: 'flat', cidr: '10.9.0.0/16' },
    });
  });

  afterAll(async () => {
    await api?.close();
    await d?.cleanup();
  });

  it('shows the one flat network', async () => {
    const nets = await api.get('/v2.1/os-networks', member);
    expect(nets.body.networks).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-/),
        label: 'flat',
        cidr: '10.9.0.0/16',
        netmask: '255.255.0.0',
        gateway: '10.9.0.1',
        broadcast: '10.9.255.255',
        dns1: null,
        dns2: null,
        cidr_v6: null,
        gateway_v6: null,
        netmask_v6: null,
      },
    ]);
    const id = nets.body.networks[0].id;
    expect((await api.get(`/v2.1/os-networks/${id}`, member)).body.network).toEqual(
      nets.body.networks[0],
    );
    expect((await api.get('/v2.1/os-tenant-networks', member)).body).toEqual({
      networks: [{ id, label: 'flat', cidr: '10.9.0.0/16' }],
    });
    const unknown = await api.get(
      '/v2.1/os-tenant-networks/c0ffee00-0000-4000-8000-000000000000',
      member,
    );
    expect(unknown.body).toEqual({ itemNotFound: { code: 404, message: 'Network not found' } });
  });

  it("has each project's default security group, which cannot change", async () => {
    const list = await api.get('/v2.1/os-security-groups', member);
    expect(list.body.security_groups).toEqual([
      {
        id: expect.any(String),
        name: 'default',
        description: 'Default security group',
        tenant_id: 'demo',
        rules: [],
      },
    ]);
    const id = list.body.security_groups[0].id;
    expect((await api.get(`/v2.1/os-security-groups/${id}`, member)).body).toEqual({
      security_group: list.body.security_groups[0],
    });
    // Another project's default group is another group.
    const other = await api.get('/v2.1/os-security-groups', { as: 'other' });
    expect(other.body.security_groups[0].id).not.toBe(id);
    expect((await api.get(`/v2.1/os-security-groups/${id}`, { as: 'other' })).status).toBe(404);
    const create = await api.post(
      '/v2.1/os-security-groups',
      { security_group: { name: 'web', description: 'x' } },
      member,
    );
    expect(create.status).toBe(400);
    expect(create.body.badRequest.message).toMatch(/need Neutron/);
    expect((await api.delete(`/v2.1/os-security-groups/${id}`, member)).status).toBe(400);
  });
});
