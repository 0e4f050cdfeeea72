import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';
import {
  ADMIN_PASSWORD,
  GLANCE_URL,
  KEYSTONE_URL,
  KeystoneFixture,
  projectToken,
  SERVICE_PASSWORD,
} from '../../support/keystone';

async function glance(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${GLANCE_URL}${path}`, {
    method,
    headers: {
      'x-auth-token': token,
      'content-type': typeof body === 'string' ? 'application/octet-stream' : 'application/json',
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

/**
 * /images/{id}/metadata through the real Glance with Keystone tokens: the
 * properties as Nova shows them (Glance's own attributes hidden), merged,
 * replaced and changed item by item, with Glance deciding who may.
 */
describe('image metadata API (real Keystone and Glance)', () => {
  let d: TestDeployment;
  let api: ApiClient;
  let keystone: KeystoneFixture;
  let alice: string;
  let bob: string;
  let image: string;
  let cirros: string;
  const as = (token: string, version = '2.1') => ({ as: { token }, version });
  const path = (id: string, key = '') => `/v2.1/images/${id}/metadata${key ? `/${key}` : ''}`;

  beforeAll(async () => {
    keystone = await KeystoneFixture.start();
    const a = await keystone.user('alice', ['member', 'reader']);
    const b = await keystone.user('bob', ['member', 'reader']);
    alice = await projectToken(a.name, a.password, a.project);
    bob = await projectToken(b.name, b.password, b.project);
    const admin = await projectToken('admin', ADMIN_PASSWORD, 'admin');
    cirros = (await glance(admin, 'GET', '/v2/images?name=cirros')).body.images[0].id as string;
    // As Tempest does: a private image of the user's, with data.
    const created = await glance(alice, 'POST', '/v2/images', {
      name: `${keystone.prefix}-meta`,
      container_format: 'bare',
      disk_format: 'raw',
      visibility: 'private',
    });
    expect(created.status).toBe(201);
    image = created.body['id'] as string;
    expect((await glance(alice, 'PUT', `/v2/images/${image}/file`, '*'.repeat(1024))).status).toBe(
      204,
    );
    d = await TestDeployment.create({
      backend: 'mariadb',
      redis: true,
      cells: ['cell1'],
      extra: {
        api: { auth_strategy: 'keystone' },
        keystone_authtoken: {
          auth_url: KEYSTONE_URL,
          username: 'nova',
          password: SERVICE_PASSWORD,
          project_name: 'service',
        },
        glance: { api_servers: GLANCE_URL },
        quota: { metadata_items: '3' },
      },
    });
    api = await ApiClient.start(d.sections);
  }, 120_000);

  afterAll(async () => {
    if (image) {
      await glance(alice, 'DELETE', `/v2/images/${image}`);
    }
    await api?.close();
    await d?.cleanup();
    await keystone?.cleanup();
  });

  it('replaces, lists, merges and shows the properties, without Glance bookkeeping', async () => {
    const set = await api.put(
      path(image),
      { metadata: { os_version: 'value1', os_distro: 'value2' } },
      as(alice),
    );
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ metadata: { os_version: 'value1', os_distro: 'value2' } });
    expect((await api.get(path(image), as(alice))).body).toEqual({
      metadata: { os_version: 'value1', os_distro: 'value2' },
    });
    // Glance holds them as the image's own properties.
    const stored = await glance(alice, 'GET', `/v2/images/${image}`);
    expect(stored.body).toMatchObject({ os_version: 'value1', os_distro: 'value2' });

    const merged = await api.post(
      path(image),
      { metadata: { os_version: 'alt1', architecture: 'value3' } },
      as(alice),
    );
    expect(merged.status).toBe(200);
    expect(merged.body).toEqual({
      metadata: { os_version: 'alt1', os_distro: 'value2', architecture: 'value3' },
    });

    const replaced = await api.put(path(image), { metadata: { os_version: 'v2' } }, as(alice));
    expect(replaced.body).toEqual({ metadata: { os_version: 'v2' } });
    expect((await api.get(path(image), as(alice))).body).toEqual({
      metadata: { os_version: 'v2' },
    });
    expect((await api.get(path(image, 'os_version'), as(alice))).body).toEqual({
      meta: { os_version: 'v2' },
    });
    const missing = await api.get(path(image, 'nope'), as(alice));
    expect(missing.status).toBe(404);
  });

  it('sets and deletes one item, with Nova faults for a bad body or key', async () => {
    const item = await api.put(
      path(image, 'os_distro'),
      { meta: { os_distro: 'cirros' } },
      as(alice),
    );
    expect(item.status).toBe(200);
    expect(item.body).toEqual({ meta: { os_distro: 'cirros' } });
    expect((await api.get(path(image), as(alice))).body.metadata).toMatchObject({
      os_distro: 'cirros',
    });

    const mismatch = await api.put(path(image, 'os_distro'), { meta: { other: 'x' } }, as(alice));
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.badRequest.message).toBe('Request body and URI mismatch');
    const two = await api.put(path(image, 'a'), { meta: { a: '1', b: '2' } }, as(alice));
    expect(two.status).toBe(400);
    expect((await api.put(path(image), { metadata: 'x' }, as(alice))).status).toBe(400);

    expect((await api.delete(path(image, 'os_distro'), as(alice))).status).toBe(204);
    expect((await api.get(path(image), as(alice))).body.metadata).not.toHaveProperty('os_distro');
    const gone = await api.delete(path(image, 'os_distro'), as(alice));
    expect(gone.status).toBe(404);
    expect(gone.body.itemNotFound.message).toBe('Invalid metadata key');
  });

  it('holds an image to metadata_items (403), counting what it would end up with', async () => {
    const four = { a: '1', b: '2', c: '3', d: '4' };
    const tooMany = await api.put(path(image), { metadata: four }, as(alice));
    expect(tooMany.status).toBe(403);
    expect(tooMany.body.forbidden.message).toBe('Image metadata limit exceeded');
    expect((await api.put(path(image), { metadata: { a: '1', b: '2' } }, as(alice))).status).toBe(
      200,
    );
    const merged = await api.post(path(image), { metadata: { c: '3', d: '4' } }, as(alice));
    expect(merged.status).toBe(403);
    expect((await api.get(path(image), as(alice))).body).toEqual({ metadata: { a: '1', b: '2' } });
  });

  it("leaves other projects' images to Glance: private is 404, public is 403 to change", async () => {
    const hidden = await api.get(path(image), as(bob));
    expect(hidden.status).toBe(404);
    expect(hidden.body.itemNotFound.message).toBe('Image not found.');
    expect((await api.get(path(cirros), as(bob))).status).toBe(200);
    const refused = await api.post(path(cirros), { metadata: { mine: 'no' } }, as(bob));
    expect(refused.status).toBe(403);
    expect((await api.get(path('7a1c0c64-0000-4000-8000-000000000000'), as(bob))).status).toBe(404);
  });

  it('exists until microversion 2.38', async () => {
    expect((await api.get(path(image), as(alice, '2.38'))).status).toBe(200);
    expect((await api.get(path(image), as(alice, '2.39'))).status).toBe(404);
  });
});
