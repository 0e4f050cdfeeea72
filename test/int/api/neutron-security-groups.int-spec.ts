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

const UNKNOWN = 'c0ffee00-0000-4000-8000-000000000000';

/**
 * os-security-groups and os-security-group-rules against the real Keystone
 * and neutron-server (scripts/openstack-services): Nova's shapes and faults,
 * with the users' own tokens (Neutron applies their rights).
 */
describe('security group proxies (real Keystone + Neutron)', () => {
  let d: TestDeployment;
  let keystone: KeystoneFixture;
  let api: ApiClient;
  let alice: KeystoneUser;
  let bob: KeystoneUser;
  let aliceToken: string;
  let bobToken: string;
  let adminToken: string;
  const as = (token: string, version = '2.1') => ({ as: { token }, version });

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: [] });
    keystone = await KeystoneFixture.start();
    alice = await keystone.user('alice', ['member', 'reader']);
    bob = await keystone.user('bob', ['member', 'reader']);
    aliceToken = await projectToken(alice.name, alice.password, alice.project);
    bobToken = await projectToken(bob.name, bob.password, bob.project);
    adminToken = await projectToken('admin', ADMIN_PASSWORD, 'admin');
    api = await ApiClient.start({ ...d.sections, cache: redisCache(d.id), ...openstackSections() });
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    // Neutron keeps a project's groups after Keystone forgets the project.
    for (const user of [alice, bob].filter(Boolean)) {
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
    await d?.cleanup();
  });

  it("lists the project's default group with its ingress rules, in Nova's shape", async () => {
    const res = await api.get('/v2.1/os-security-groups', as(aliceToken));
    expect(res.status).toBe(200);
    const groups = res.body.security_groups;
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group).toEqual({
      id: expect.any(String),
      name: 'default',
      description: 'Default security group',
      tenant_id: alice.projectId,
      rules: expect.any(Array),
    });
    // Neutron's default group lets its own members in (IPv4 and IPv6); egress is not shown.
    expect(group.rules).toEqual([
      {
        id: expect.any(String),
        parent_group_id: group.id,
        ip_protocol: null,
        from_port: null,
        to_port: null,
        ip_range: {},
        group: { name: 'default', tenant_id: alice.projectId },
      },
      {
        id: expect.any(String),
        parent_group_id: group.id,
        ip_protocol: null,
        from_port: null,
        to_port: null,
        ip_range: {},
        group: { name: 'default', tenant_id: alice.projectId },
      },
    ]);
    const inNeutron = await neutronOk(aliceToken, 'GET', `/security-groups/${group.id}`);
    expect(inNeutron.security_group.name).toBe('default');
  });

  it('creates, shows, updates and deletes a group; others do not see it', async () => {
    const created = await api.post(
      '/v2.1/os-security-groups',
      { security_group: { name: 'web', description: 'http in' } },
      as(aliceToken),
    );
    expect(created.status).toBe(200);
    const group = created.body.security_group;
    // Neutron adds egress rules to a new group; Nova shows ingress rules only.
    expect(group).toEqual({
      id: expect.any(String),
      name: 'web',
      description: 'http in',
      tenant_id: alice.projectId,
      rules: [],
    });
    const stored = await neutronOk(adminToken, 'GET', `/security-groups/${group.id}`);
    expect(stored.security_group).toMatchObject({
      name: 'web',
      description: 'http in',
      tenant_id: alice.projectId,
    });

    const shown = await api.get(`/v2.1/os-security-groups/${group.id}`, as(aliceToken));
    expect(shown.body).toEqual({ security_group: group });

    const list = await api.get('/v2.1/os-security-groups', as(aliceToken));
    expect(list.body.security_groups.map((g: { name: string }) => g.name)).toEqual([
      'default',
      'web',
    ]);
    const limitedList = await api.get('/v2.1/os-security-groups?limit=1&offset=1', as(aliceToken));
    expect(limitedList.body.security_groups.map((g: { name: string }) => g.name)).toEqual(['web']);

    const updated = await api.put(
      `/v2.1/os-security-groups/${group.id}`,
      { security_group: { name: 'www', description: 'http and https' } },
      as(aliceToken),
    );
    expect(updated.status).toBe(200);
    expect(updated.body.security_group).toEqual({
      ...group,
      name: 'www',
      description: 'http and https',
    });

    // Bob's token cannot see Alice's group in Neutron: 404, Neutron's message.
    const foreign = await api.get(`/v2.1/os-security-groups/${group.id}`, as(bobToken));
    expect(foreign.status).toBe(404);
    expect(foreign.body.itemNotFound.message).toContain(group.id);
    const bobs = await api.get('/v2.1/os-security-groups', as(bobToken));
    expect(bobs.body.security_groups.map((g: { tenant_id: string }) => g.tenant_id)).toEqual([
      bob.projectId,
    ]);
    // An admin sees every project's with all_tenants.
    const everyone = await api.get('/v2.1/os-security-groups?all_tenants=1', as(adminToken));
    const tenants = everyone.body.security_groups.map((g: { tenant_id: string }) => g.tenant_id);
    expect(tenants).toEqual(expect.arrayContaining([alice.projectId, bob.projectId]));

    const deleted = await api.delete(`/v2.1/os-security-groups/${group.id}`, as(aliceToken));
    expect(deleted.status).toBe(202);
    expect((await neutron(adminToken, 'GET', `/security-groups/${group.id}`)).status).toBe(404);
    const again = await api.delete(`/v2.1/os-security-groups/${group.id}`, as(aliceToken));
    expect(again.status).toBe(404);
  });

  it('creates and deletes CIDR and group rules, as Neutron ingress rules', async () => {
    const group = (
      await api.post(
        '/v2.1/os-security-groups',
        { security_group: { name: 'ssh', description: 'ssh in' } },
        as(aliceToken),
      )
    ).body.security_group;
    const list = await api.get('/v2.1/os-security-groups', as(aliceToken));
    const defaultGroup = list.body.security_groups.find(
      (g: { name: string }) => g.name === 'default',
    );

    const cidr = await api.post(
      '/v2.1/os-security-group-rules',
      {
        security_group_rule: {
          parent_group_id: group.id,
          ip_protocol: 'tcp',
          from_port: 22,
          to_port: '22',
          cidr: '10.1.0.0/24',
        },
      },
      as(aliceToken),
    );
    expect(cidr.status).toBe(200);
    expect(cidr.body).toEqual({
      security_group_rule: {
        id: expect.any(String),
        parent_group_id: group.id,
        ip_protocol: 'tcp',
        from_port: 22,
        to_port: 22,
        ip_range: { cidr: '10.1.0.0/24' },
        group: {},
      },
    });
    const ruleId = cidr.body.security_group_rule.id;
    const again = await api.post(
      '/v2.1/os-security-group-rules',
      {
        security_group_rule: {
          parent_group_id: group.id,
          ip_protocol: 'TCP',
          from_port: '22',
          to_port: 22,
          cidr: '10.1.0.0/24',
        },
      },
      as(aliceToken),
    );
    expect(again.status).toBe(400);
    expect(again.body.badRequest.message).toBe(`This rule already exists in group ${group.id}`);
    const inNeutron = await neutronOk(aliceToken, 'GET', `/security-group-rules/${ruleId}`);
    expect(inNeutron.security_group_rule).toMatchObject({
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: 'tcp',
      port_range_min: 22,
      port_range_max: 22,
      remote_ip_prefix: '10.1.0.0/24',
      security_group_id: group.id,
    });

    // A group rule without ports opens every ICMP type: -1/-1 (no range in Neutron).
    const byGroup = await api.post(
      '/v2.1/os-security-group-rules',
      {
        security_group_rule: {
          parent_group_id: group.id,
          ip_protocol: 'icmp',
          group_id: defaultGroup.id,
        },
      },
      as(aliceToken),
    );
    expect(byGroup.status).toBe(200);
    expect(byGroup.body.security_group_rule).toEqual({
      id: expect.any(String),
      parent_group_id: group.id,
      ip_protocol: 'icmp',
      from_port: -1,
      to_port: -1,
      ip_range: {},
      group: { name: 'default', tenant_id: alice.projectId },
    });

    const shown = await api.get(`/v2.1/os-security-groups/${group.id}`, as(aliceToken));
    expect(shown.body.security_group.rules).toEqual(
      expect.arrayContaining([cidr.body.security_group_rule, byGroup.body.security_group_rule]),
    );
    expect(shown.body.security_group.rules).toHaveLength(2);

    expect(
      (await api.delete(`/v2.1/os-security-group-rules/${ruleId}`, as(aliceToken))).status,
    ).toBe(202);
    expect((await neutron(aliceToken, 'GET', `/security-group-rules/${ruleId}`)).status).toBe(404);
    const gone = await api.delete(`/v2.1/os-security-group-rules/${ruleId}`, as(aliceToken));
    expect(gone.status).toBe(404);
    expect(faultMessage(gone.body)).toContain(ruleId);
  });

  it("answers Nova's faults for bad groups and rules", async () => {
    const post = (body: unknown) => api.post('/v2.1/os-security-groups', body, as(aliceToken));
    expect((await post({ security_group: { name: '', description: 'x' } })).body).toEqual({
      badRequest: { code: 400, message: 'name has 0 characters, less than 1.' },
    });
    expect(
      (await post({ security_group: { name: 'x'.repeat(256), description: 'x' } })).body,
    ).toEqual({ badRequest: { code: 400, message: 'name has 256 characters, more than 255.' } });
    expect((await post({ security_group: { name: 'x' } })).body).toEqual({
      badRequest: { code: 400, message: 'Security group description is not a string or unicode' },
    });
    expect((await post({ other: {} })).body).toEqual({
      badRequest: { code: 400, message: 'Missing parameter security_group' },
    });

    const notUuid = await api.get('/v2.1/os-security-groups/42', as(aliceToken));
    expect(notUuid.body).toEqual({
      badRequest: { code: 400, message: 'Security group id should be uuid' },
    });
    const unknown = await api.get(`/v2.1/os-security-groups/${UNKNOWN}`, as(aliceToken));
    expect(unknown.status).toBe(404);
    expect(unknown.body.itemNotFound.message).toContain(UNKNOWN);

    const defaultGroup = (await api.get('/v2.1/os-security-groups', as(aliceToken))).body
      .security_groups[0];
    // Neutron refuses to delete the default group (409): Nova's 400.
    const keepDefault = await api.delete(
      `/v2.1/os-security-groups/${defaultGroup.id}`,
      as(aliceToken),
    );
    expect(keepDefault.status).toBe(400);

    const rule = (fields: Record<string, unknown>) =>
      api.post(
        '/v2.1/os-security-group-rules',
        { security_group_rule: { parent_group_id: defaultGroup.id, ...fields } },
        as(aliceToken),
      );
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [
        { ip_protocol: 'tcp', from_port: 0, to_port: 22 },
        400,
        'Invalid port range 0:22. Valid TCP ports should be between 1-65535',
      ],
      [
        { ip_protocol: 'udp', from_port: 90, to_port: 80 },
        400,
        'Invalid port range 90:80. Former value cannot be greater than the later',
      ],
      [
        { ip_protocol: 'icmp', from_port: 256, to_port: 0 },
        400,
        'Invalid port range 256:0. For ICMP, the type:code must be valid',
      ],
      [{ ip_protocol: 'gre', from_port: 1, to_port: 2 }, 400, 'Invalid IP protocol gre.'],
      [
        { ip_protocol: 'tcp', from_port: 'a', to_port: 2 },
        400,
        'Invalid input received: To and From ports must be integers',
      ],
      [
        { ip_protocol: 'tcp', from_port: 1, to_port: 2, cidr: '10.0.0.300/8' },
        400,
        '10.0.0.300/8 is not a valid IP network.',
      ],
      [
        { ip_protocol: 'tcp', from_port: 1, to_port: 2, cidr: '10.0.0.0/0' },
        400,
        'Bad prefix for network in cidr 10.0.0.0/0',
      ],
      [{ cidr: '10.0.0.0/8' }, 400, 'Not enough parameters to build a valid rule.'],
      [{ parent_group_id: 'nope' }, 400, 'Security group id should be uuid'],
    ];
    for (const [fields, status, message] of cases) {
      const res = await rule(fields);
      expect({ fields, status: res.status, message: faultMessage(res.body) }).toEqual({
        fields,
        status,
        message,
      });
    }
    const unknownParent = await rule({ parent_group_id: UNKNOWN, ip_protocol: 'tcp' });
    expect(unknownParent.status).toBe(404);
    const unknownSource = await rule({ group_id: UNKNOWN, ip_protocol: 'tcp' });
    expect(unknownSource.status).toBe(404);
  });

  it('is gone from 2.36 on, and the default-rules API is 410', async () => {
    for (const path of ['/v2.1/os-security-groups', `/v2.1/os-security-groups/${UNKNOWN}`]) {
      const res = await api.get(path, as(aliceToken, '2.36'));
      expect(res.status).toBe(404);
    }
    const rules = await api.post(
      '/v2.1/os-security-group-rules',
      { security_group_rule: {} },
      as(aliceToken, '2.36'),
    );
    expect(rules.status).toBe(404);
    expect((await api.get('/v2.1/os-security-groups', as(aliceToken, '2.35'))).status).toBe(200);
    const defaults = await api.get('/v2.1/os-security-group-default-rules', as(adminToken));
    expect(defaults.status).toBe(410);
  });

  it('a reader may list but not create', async () => {
    const reader = await keystone.user('carol', ['reader']);
    const token = await projectToken(reader.name, reader.password, reader.project);
    expect((await api.get('/v2.1/os-security-groups', as(token))).status).toBe(200);
    const denied = await api.post(
      '/v2.1/os-security-groups',
      { security_group: { name: 'a', description: 'b' } },
      as(token),
    );
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-security-groups:create to be performed.",
    );
    const groups = await neutronOk(
      adminToken,
      'GET',
      `/security-groups?tenant_id=${reader.projectId}`,
    );
    for (const g of groups.security_groups) {
      await neutron(adminToken, 'DELETE', `/security-groups/${g.id}`);
    }
  });
});

function faultMessage(body: unknown): string | undefined {
  const fault = body && typeof body === 'object' ? Object.values(body)[0] : undefined;
  return (fault as { message?: string } | undefined)?.message;
}
