import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_IMAGE_ID } from '@nova/images';
import { ApiClient } from '../../support/api-client';
import { redisCache } from '../../support/config';
import { TestDeployment } from '../../support/deployment';
import { GlanceDouble } from '../../support/glance-double';
import { KeystoneDouble } from '../../support/keystone-double';

const PUB = '0a1b2c3d-0000-4000-8000-000000000001';
const BIG = '0a1b2c3d-0000-4000-8000-000000000002';
const SNAP = '0a1b2c3d-0000-4000-8000-000000000003';
const PRIV = '0a1b2c3d-0000-4000-8000-000000000004';
const SERVER = '5e7e7e7e-0000-4000-8000-00000000abcd';

/** Glance v2 documents; the local catalog takes the same form. */
const DOCS = [
  {
    id: PUB,
    name: 'cirros',
    status: 'active',
    visibility: 'public',
    size: 1000,
    min_disk: 0,
    min_ram: 0,
    disk_format: 'qcow2',
    container_format: 'bare',
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    architecture: 'x86_64',
  },
  {
    id: BIG,
    name: 'ubuntu',
    status: 'active',
    visibility: 'public',
    size: 2000,
    min_disk: 10,
    min_ram: 512,
    disk_format: 'raw',
    container_format: 'bare',
    created_at: '2024-02-01T00:00:00Z',
    updated_at: '2024-06-01T00:00:00Z',
    hw_firmware_type: 'uefi',
    auto_disk_config: 'True',
  },
  {
    id: SNAP,
    name: 'snap',
    status: 'queued',
    visibility: 'public',
    protected: true,
    size: null,
    min_disk: 10,
    min_ram: 512,
    disk_format: 'qcow2',
    container_format: 'bare',
    created_at: '2024-03-01T00:00:00Z',
    updated_at: '2024-03-01T00:00:00Z',
    instance_uuid: SERVER,
    image_type: 'snapshot',
  },
  {
    id: PRIV,
    name: 'private',
    status: 'active',
    visibility: 'private',
    owner: 'demo',
    size: 5,
    min_disk: 1,
    min_ram: 1,
    disk_format: 'raw',
    container_format: 'bare',
    created_at: '2024-04-01T00:00:00Z',
    updated_at: '2024-04-01T00:00:00Z',
  },
];

const ids = (body: { images: Array<{ id: string }> }) => body.images.map((i) => i.id);

/** /images (the 2.1-2.35 image proxy) over HTTP, MariaDB + Redis, local catalog and Glance. */
describe('images API', () => {
  let d: TestDeployment;
  let dir: string;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: [] });
    dir = mkdtempSync(join(tmpdir(), 'nova-images-'));
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await d.cleanup();
  });

  describe('built-in catalog', () => {
    let api: ApiClient;
    beforeAll(async () => {
      api = await ApiClient.start(d.sections);
    });
    afterAll(() => api.close());

    it("shows the one CirrOS image in Nova's detailed form", async () => {
      const res = await api.get(`/v2.1/images/${BUILTIN_IMAGE_ID}`, { as: 'member' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        image: {
          id: BUILTIN_IMAGE_ID,
          name: 'cirros-0.6.2-x86_64-disk',
          minRam: 0,
          minDisk: 0,
          metadata: { architecture: 'x86_64', os_distro: 'cirros', os_version: '0.6.2' },
          created: '2024-01-01T00:00:00Z',
          updated: '2024-01-01T00:00:00Z',
          status: 'ACTIVE',
          progress: 100,
          'OS-EXT-IMG-SIZE:size': 21430272,
          links: [
            { rel: 'self', href: `http://localhost:80/v2.1/images/${BUILTIN_IMAGE_ID}` },
            { rel: 'bookmark', href: `http://localhost:80/images/${BUILTIN_IMAGE_ID}` },
            {
              rel: 'alternate',
              type: 'application/vnd.openstack.image',
              href: `http://localhost:80/images/${BUILTIN_IMAGE_ID}`,
            },
          ],
        },
      });
      expect(ids((await api.get('/v2.1/images')).body)).toEqual([BUILTIN_IMAGE_ID]);
    });
  });

  describe('local catalog from [glance] local_catalog', () => {
    let api: ApiClient;
    beforeAll(async () => {
      const file = join(dir, 'catalog.yaml');
      writeFileSync(file, JSON.stringify({ images: DOCS }));
      api = await ApiClient.start({ ...d.sections, glance: { local_catalog: file } });
    });
    afterAll(() => api.close());

    it('lists id, name and links, newest first, with what the caller may see', async () => {
      const member = await api.get('/v2.1/images', { as: 'member' });
      expect(member.status).toBe(200);
      expect(ids(member.body)).toEqual([PRIV, SNAP, BIG, PUB]);
      expect(Object.keys(member.body.images[0])).toEqual(['id', 'name', 'links']);
      expect(member.body).not.toHaveProperty('images_links');
      // another project does not see demo's private image; readers and admins are fine
      expect(ids((await api.get('/v2.1/images', { as: 'other' })).body)).toEqual([SNAP, BIG, PUB]);
      expect((await api.get('/v2.1/images/detail', { as: 'reader' })).status).toBe(200);
      expect(ids((await api.get('/v2.1/images', { as: 'admin' })).body)).toHaveLength(4);
      expect((await api.get(`/v2.1/images/${PRIV}`, { as: 'other' })).status).toBe(404);
    });

    it('details status, progress, size, metadata, server and disk config', async () => {
      const res = await api.get('/v2.1/demo/images/detail', { as: 'member' });
      expect(res.status).toBe(200);
      const byId = new Map(
        (res.body.images as Array<Record<string, unknown>>).map((i) => [i['id'], i]),
      );
      expect(byId.get(SNAP)).toEqual({
        id: SNAP,
        name: 'snap',
        minRam: 512,
        minDisk: 10,
        metadata: { instance_uuid: SERVER, image_type: 'snapshot' },
        created: '2024-03-01T00:00:00Z',
        updated: '2024-03-01T00:00:00Z',
        status: 'SAVING',
        progress: 25,
        'OS-EXT-IMG-SIZE:size': null,
        links: [
          { rel: 'self', href: `http://localhost:80/v2.1/demo/images/${SNAP}` },
          { rel: 'bookmark', href: `http://localhost:80/demo/images/${SNAP}` },
          {
            rel: 'alternate',
            type: 'application/vnd.openstack.image',
            href: `http://localhost:80/demo/images/${SNAP}`,
          },
        ],
        server: {
          id: SERVER,
          links: [
            { rel: 'self', href: `http://localhost:80/v2.1/demo/servers/${SERVER}` },
            { rel: 'bookmark', href: `http://localhost:80/demo/servers/${SERVER}` },
          ],
        },
      });
      expect(byId.get(BIG)).toMatchObject({
        status: 'ACTIVE',
        progress: 100,
        'OS-EXT-IMG-SIZE:size': 2000,
        metadata: { hw_firmware_type: 'uefi', auto_disk_config: 'True' },
        'OS-DCF:diskConfig': 'AUTO',
      });
      const show = await api.get(`/v2.1/images/${BIG}`, { as: 'member' });
      expect(show.body.image).toEqual(
        expect.objectContaining({ id: BIG, name: 'ubuntu', minRam: 512, minDisk: 10 }),
      );
    });

    it('filters by name, status, minRam, minDisk, changes-since, server and type', async () => {
      const q = async (query: string) => ids((await api.get(`/v2.1/images?${query}`)).body);
      expect(await q('name=cirros')).toEqual([PUB]);
      expect(await q('status=ACTIVE')).toEqual([PRIV, BIG, PUB]);
      expect(await q('status=queued')).toEqual([SNAP]);
      expect(await q('minRam=512')).toEqual([SNAP, BIG]);
      expect(await q('minDisk=10&minRam=1')).toEqual([SNAP, BIG]);
      expect(await q('changes-since=2024-03-01T00:00:00Z')).toEqual([PRIV, SNAP, BIG]);
      expect(await q(`server=http://localhost/v2.1/servers/${SERVER}`)).toEqual([SNAP]);
      expect(await q('type=snapshot')).toEqual([SNAP]);
      expect(await q('color=red&name=ubuntu')).toEqual([BIG]);
    });

    it('pages with limit and marker, with images_links', async () => {
      const first = await api.get('/v2.1/images/detail?limit=2&minRam=0');
      expect(ids(first.body)).toEqual([PRIV, SNAP]);
      expect(first.body.images_links).toEqual([
        {
          rel: 'next',
          href: `http://localhost:80/v2.1/images/detail?limit=2&marker=${SNAP}&minRam=0`,
        },
      ]);
      const second = await api.get(`/v2.1/images/detail?limit=2&marker=${SNAP}&minRam=0`);
      expect(ids(second.body)).toEqual([BIG, PUB]);
      const last = await api.get(`/v2.1/images?limit=2&marker=${BIG}`);
      expect(ids(last.body)).toEqual([PUB]);
      expect(last.body).not.toHaveProperty('images_links');
    });

    it('rejects bad paging and filters with 400', async () => {
      expect((await api.get('/v2.1/images?marker=nope')).body).toEqual({
        badRequest: { code: 400, message: 'Marker nope could not be found.' },
      });
      expect((await api.get('/v2.1/images?limit=-1')).status).toBe(400);
      expect((await api.get('/v2.1/images?limit=x')).status).toBe(400);
      expect((await api.get('/v2.1/images?minRam=big')).body).toEqual({
        badRequest: { code: 400, message: 'Invalid minRam filter [big]' },
      });
      expect((await api.get('/v2.1/images/detail?changes-since=soon')).status).toBe(400);
    });

    it('is 404 for an unknown image', async () => {
      for (const id of ['0a1b2c3d-0000-4000-8000-0000000000ff', 'not-a-uuid']) {
        expect(await api.get(`/v2.1/images/${id}`)).toMatchObject({
          status: 404,
          body: { itemNotFound: { code: 404, message: 'Image not found.' } },
        });
      }
    });

    it('exists up to microversion 2.35 and is 404 from 2.36', async () => {
      expect((await api.get('/v2.1/images', { version: '2.35' })).status).toBe(200);
      for (const [method, path] of [
        ['GET', '/v2.1/images'],
        ['GET', '/v2.1/images/detail'],
        ['GET', `/v2.1/images/${PUB}`],
        ['DELETE', `/v2.1/images/${PUB}`],
      ] as const) {
        expect(await api.request(method, path, { version: '2.36' })).toMatchObject({
          status: 404,
          body: { itemNotFound: { code: 404 } },
        });
      }
      expect((await api.get('/v2.1/images', { version: 'latest' })).status).toBe(404);
    });

    it('needs a token (401) but no particular role', async () => {
      expect((await api.get('/v2.1/images', { as: { token: '' } })).status).toBe(401);
      expect((await api.get(`/v2.1/images/${PUB}`, { as: 'manager' })).status).toBe(200);
    });

    it('refuses deletion from the read-only catalog (403), 404 for unknown images', async () => {
      expect(await api.delete(`/v2.1/images/${PUB}`, { as: 'admin' })).toMatchObject({
        status: 403,
        body: { forbidden: { code: 403, message: 'You are not allowed to delete the image.' } },
      });
      expect((await api.delete(`/v2.1/images/${PRIV}`, { as: 'other' })).status).toBe(404);
      expect((await api.get(`/v2.1/images/${PUB}`)).status).toBe(200);
    });
  });

  describe('Glance (a local Glance v2 double)', () => {
    let glance: GlanceDouble;
    let api: ApiClient;

    beforeAll(async () => {
      glance = new GlanceDouble();
      await glance.start();
      glance.add(...DOCS);
      api = await ApiClient.start({
        ...d.sections,
        glance: { api_servers: `${glance.url}/v2/`, num_retries: '2' },
      });
    });

    afterAll(async () => {
      await api.close();
      await glance.stop();
    });

    beforeEach(() => {
      glance.requests.length = 0;
      glance.failures.length = 0;
    });

    it("lists through Glance with the caller's token and request id, alternate links to Glance", async () => {
      const res = await api.get('/v2.1/images/detail', { as: 'member' });
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual([PRIV, SNAP, BIG, PUB]);
      expect(res.body.images[0].links[2]).toEqual({
        rel: 'alternate',
        type: 'application/vnd.openstack.image',
        href: `${glance.url}/images/${PRIV}`,
      });
      expect(glance.requests).toEqual([
        {
          method: 'GET',
          url: '/v2/images?limit=1000',
          token: 'demo:demo',
          requestId: res.headers['x-openstack-request-id'],
        },
      ]);
    });

    it('shows a Glance image, and 404 for one Glance does not have', async () => {
      const res = await api.get(`/v2.1/images/${SNAP}`, { as: 'member' });
      expect(res.body.image).toMatchObject({
        id: SNAP,
        status: 'SAVING',
        progress: 25,
        server: { id: SERVER },
        metadata: { instance_uuid: SERVER, image_type: 'snapshot' },
      });
      expect(await api.get('/v2.1/images/0a1b2c3d-0000-4000-8000-0000000000ff')).toMatchObject({
        status: 404,
        body: { itemNotFound: { message: 'Image not found.' } },
      });
    });

    it('passes filters and paging to Glance; minRam/minDisk read on until the page is full', async () => {
      const page = await api.get('/v2.1/images?limit=1&name=ubuntu&status=ACTIVE');
      expect(ids(page.body)).toEqual([BIG]);
      expect(glance.requests.map((r) => r.url)).toEqual([
        '/v2/images?name=ubuntu&status=active&limit=1',
      ]);
      glance.requests.length = 0;
      // Glance returns PRIV first (min_ram 1): we read its next page to fill ours.
      const big = await api.get('/v2.1/images?limit=1&minRam=512', { as: 'admin' });
      expect(ids(big.body)).toEqual([SNAP]);
      expect(big.body.images_links[0].href).toBe(
        `http://localhost:80/v2.1/images?limit=1&marker=${SNAP}&minRam=512`,
      );
      expect(glance.requests.map((r) => r.url)).toEqual([
        '/v2/images?limit=1',
        `/v2/images?limit=1&marker=${PRIV}`,
      ]);
      const next = await api.get(`/v2.1/images?limit=1&marker=${SNAP}&minRam=512`);
      expect(ids(next.body)).toEqual([BIG]);
      const since = await api.get('/v2.1/images?changes-since=2024-03-01T00:00:00Z');
      expect(ids(since.body)).toEqual([PRIV, SNAP, BIG]);
      expect(glance.requests.at(-1)?.url).toBe(
        '/v2/images?updated_at=gte%3A2024-03-01T00%3A00%3A00Z&limit=1000',
      );
      expect((await api.get('/v2.1/images?marker=nope')).body).toEqual({
        badRequest: { code: 400, message: 'Invalid marker. Image nope could not be found.' },
      });
    });

    it('retries after a 503 and answers once Glance does', async () => {
      glance.failures.push(503);
      const res = await api.get(`/v2.1/images/${PUB}`);
      expect(res.status).toBe(200);
      expect(res.body.image.name).toBe('cirros');
      expect(glance.requests.map((r) => r.url)).toEqual([`/v2/images/${PUB}`, `/v2/images/${PUB}`]);
    });

    it('gives up after num_retries with 503', async () => {
      glance.failures.push(500, 503, 502);
      const res = await api.get('/v2.1/images');
      expect(res.status).toBe(503);
      expect(res.body.serviceUnavailable.message).toMatch(/^Connection to glance host .* failed/);
      expect(glance.requests).toHaveLength(3);
    });

    it('deletes in Glance (204); protected is 403, unknown 404', async () => {
      const victim = { ...DOCS[0], id: '0a1b2c3d-0000-4000-8000-0000000000aa', name: 'victim' };
      glance.add(victim);
      expect((await api.delete(`/v2.1/images/${victim.id}`, { as: 'member' })).status).toBe(204);
      expect(glance.images.has(victim.id)).toBe(false);
      expect(await api.delete(`/v2.1/images/${SNAP}`)).toMatchObject({
        status: 403,
        body: { forbidden: { message: 'You are not allowed to delete the image.' } },
      });
      expect((await api.delete(`/v2.1/images/${victim.id}`)).status).toBe(404);
    });

    it('is 404 from microversion 2.36 without asking Glance', async () => {
      expect((await api.get('/v2.1/images', { version: '2.36' })).status).toBe(404);
      expect(glance.requests).toHaveLength(0);
    });
  });

  describe('Glance unreachable', () => {
    it('is 503 after the retries', async () => {
      const port = await freePort();
      const api = await ApiClient.start({
        ...d.sections,
        glance: { api_servers: `127.0.0.1:${port}`, num_retries: '1' },
      });
      try {
        const res = await api.get(`/v2.1/images/${PUB}`);
        expect(res.status).toBe(503);
        expect(res.body.serviceUnavailable.message).toContain(`127.0.0.1:${port}`);
      } finally {
        await api.close();
      }
    });
  });

  describe('keystone auth_strategy', () => {
    let keystone: KeystoneDouble;
    let glance: GlanceDouble;
    let api: ApiClient;

    beforeAll(async () => {
      keystone = new KeystoneDouble({ username: 'nova', password: 'novapass' });
      await keystone.start();
      keystone.tokens.set('tok-member', { userId: 'u-1', projectId: 'p-1', roles: ['member'] });
      glance = new GlanceDouble();
      await glance.start();
      glance.add(DOCS[0]);
      api = await ApiClient.start({
        ...d.sections,
        cache: redisCache(d.id),
        api: { auth_strategy: 'keystone' },
        keystone_authtoken: { auth_url: keystone.url, username: 'nova', password: 'novapass' },
        glance: { api_servers: glance.url },
      });
    });

    afterAll(async () => {
      await api.close();
      await glance.stop();
      await keystone.stop();
    });

    it("forwards the user's Keystone token to Glance; no token is 401", async () => {
      const res = await api.get('/v2.1/images', { as: { token: 'tok-member' } });
      expect(ids(res.body)).toEqual([PUB]);
      expect(glance.requests.map((r) => r.token)).toEqual(['tok-member']);
      expect((await api.get('/v2.1/images', { as: { token: '' } })).status).toBe(401);
      expect(glance.requests).toHaveLength(1);
    });
  });
});

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
