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
import { neutron, neutronOk, openstackSections } from '../support/neutron';

/**
 * A server's security groups with Neutron (real Keystone, neutron-server and
 * separate nova processes): boot with Neutron groups, list the server's groups
 * in Nova's shape, add and remove them with Nova's 404/409 for unknown or
 * ambiguous names.
 */
describe('server security groups with Neutron (separate processes)', () => {
  let cloud: Cloud;
  let keystone: KeystoneFixture;
  let alice: KeystoneUser;
  let aliceToken: string;
  let bobToken: string;
  let adminToken: string;
  const imageRef = '6f1a8e1c-4a63-4d8e-9b7e-1f0d2c3b4a71';
  const flavorRef = 'sg-tiny';
  const as = (token: string) => ({ as: { token } });

  beforeAll(async () => {
    keystone = await KeystoneFixture.start();
    alice = await keystone.user('alice', ['member', 'reader']);
    const bob = await keystone.user('bob', ['member', 'reader']);
    aliceToken = await projectToken(alice.name, alice.password, alice.project);
    bobToken = await projectToken(bob.name, bob.password, bob.project);
    adminToken = await projectToken('admin', ADMIN_PASSWORD, 'admin');
    const catalog = join(mkdtempSync(join(tmpdir(), 'nova-images-')), 'images.json');
    writeFileSync(catalog, JSON.stringify([{ id: imageRef, name: 'cirros', status: 'active' }]));
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 1,
      extra: {
        ...openstackSections(),
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
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
    if (alice) {
      const groups = await neutronOk(
        adminToken,
        'GET',
        `/security-groups?tenant_id=${alice.projectId}`,
      );
      for (const g of groups.security_groups) {
        await neutron(adminToken, 'DELETE', `/security-groups/${g.id}`);
      }
    }
    await keystone?.cleanup();
  });

  const group = async (name: string) => {
    const res = await cloud.api.post(
      '/v2.1/os-security-groups',
      { security_group: { name, description: `${name} group` } },
      as(aliceToken),
    );
    expect(res.status).toBe(200);
    return res.body.security_group as { id: string; name: string };
  };
  const boot = (name: string, groups: string[]) =>
    cloud.api.post(
      '/v2.1/servers',
      {
        server: {
          name,
          imageRef,
          flavorRef,
          security_groups: groups.map((g) => ({ name: g })),
        },
      },
      as(aliceToken),
    );
  const waitActive = async (id: string) => {
    for (let i = 0; i < 400; i++) {
      const res = await cloud.api.get(`/v2.1/servers/${id}`, as(aliceToken));
      if (res.body?.server?.status === 'ACTIVE') {
        return res.body.server;
      }
      await sleep(50);
    }
    throw new Error(`server ${id} not ACTIVE: ${cloud.problems()}`);
  };
  const act = (id: string, body: unknown) =>
    cloud.api.post(`/v2.1/servers/${id}/action`, body, as(aliceToken));

  it("boots with Neutron groups and lists the server's groups in Nova's shape", async () => {
    const web = await group('web');
    const rule = await cloud.api.post(
      '/v2.1/os-security-group-rules',
      {
        security_group_rule: {
          parent_group_id: web.id,
          ip_protocol: 'tcp',
          from_port: 80,
          to_port: 80,
          cidr: '0.0.0.0/0',
        },
      },
      as(aliceToken),
    );
    expect(rule.status).toBe(200);

    const unknown = await boot('nope', ['default', 'no-such-group']);
    expect(unknown.body).toEqual({
      badRequest: { code: 400, message: 'Security group no-such-group not found.' },
    });

    // By id or name: the server keeps names, as Nova shows them.
    const res = await boot('grouped', ['default', web.id]);
    expect(res.status).toBe(202);
    expect(res.body.server.security_groups).toEqual([{ name: 'default' }, { name: 'web' }]);
    const id = res.body.server.id as string;
    const server = await waitActive(id);
    expect(server.security_groups).toEqual([{ name: 'default' }, { name: 'web' }]);

    const groups = await cloud.api.get(`/v2.1/servers/${id}/os-security-groups`, as(aliceToken));
    expect(groups.status).toBe(200);
    const [def, webView] = groups.body.security_groups;
    expect(groups.body.security_groups).toHaveLength(2);
    expect(def).toMatchObject({
      name: 'default',
      description: 'Default security group',
      tenant_id: alice.projectId,
    });
    expect(def.rules.map((r: { group: unknown }) => r.group)).toEqual([
      { name: 'default', tenant_id: alice.projectId },
      { name: 'default', tenant_id: alice.projectId },
    ]);
    expect(webView).toEqual({
      id: web.id,
      name: 'web',
      description: 'web group',
      tenant_id: alice.projectId,
      rules: [rule.body.security_group_rule],
    });

    // Another project's user does not find the server.
    const foreign = await cloud.api.get(`/v2.1/servers/${id}/os-security-groups`, as(bobToken));
    expect(foreign.status).toBe(404);
  });

  it('adds and removes groups that Neutron has; 404 and 409 otherwise', async () => {
    const res = await boot('changing', ['default']);
    expect(res.status).toBe(202);
    const id = res.body.server.id as string;
    await waitActive(id);
    const db = await group('db');

    const missing = await act(id, { addSecurityGroup: { name: 'nope' } });
    expect(missing.body).toEqual({
      itemNotFound: {
        code: 404,
        message: `Security group nope is not found for project ${alice.projectId}`,
      },
    });
    expect((await act(id, { addSecurityGroup: { name: db.id } })).status).toBe(202);
    // Already there: Neutron's port update would be a no-op, so is ours.
    expect((await act(id, { addSecurityGroup: { name: 'db' } })).status).toBe(202);
    let server = (await cloud.api.get(`/v2.1/servers/${id}`, as(aliceToken))).body.server;
    expect(server.security_groups).toEqual([{ name: 'default' }, { name: 'db' }]);
    const listed = await cloud.api.get(`/v2.1/servers/${id}/os-security-groups`, as(aliceToken));
    expect(listed.body.security_groups.map((g: { id: string }) => g.id)).toContain(db.id);

    await group('twin');
    await group('twin');
    const ambiguous = await act(id, { addSecurityGroup: { name: 'twin' } });
    expect(ambiguous.body).toEqual({
      conflictingRequest: {
        code: 409,
        message:
          "Multiple security_group matches found for name 'twin', use an ID to be more specific.",
      },
    });

    expect((await act(id, { removeSecurityGroup: { name: 'db' } })).status).toBe(202);
    const notThere = await act(id, { removeSecurityGroup: { name: 'db' } });
    expect(notThere.body).toEqual({
      itemNotFound: {
        code: 404,
        message: `Security group db not associated with the instance ${id}`,
      },
    });
    server = (await cloud.api.get(`/v2.1/servers/${id}`, as(aliceToken))).body.server;
    expect(server.security_groups).toEqual([{ name: 'default' }]);
  });
});
