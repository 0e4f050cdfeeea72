import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';

/** /flavors, os-flavor-access and os-extra_specs over HTTP, MariaDB + Redis. */
describe('flavors API', () => {
  let d: TestDeployment;
  let api: ApiClient;
  const create = (flavor: Record<string, unknown>, version?: string) =>
    api.post('/v2.1/flavors', { flavor }, version ? { version } : {});

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: [] });
    api = await ApiClient.start(d.sections);
    for (const [id, name, ram, disk, vcpus] of [
      ['1', 'm1.tiny', 512, 1, 1],
      ['2', 'm1.small', 2048, 20, 1],
      ['3', 'm1.medium', 4096, 40, 2],
      ['4', 'm1.large', 8192, 80, 4],
    ] as const) {
      expect((await create({ id, name, ram, disk, vcpus })).status).toBe(200);
    }
    expect(
      (
        await create({
          id: 'priv',
          name: 'private',
          ram: 256,
          disk: 0,
          vcpus: 1,
          'os-flavor-access:is_public': false,
        })
      ).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  describe('create', () => {
    it("returns the detailed flavor with Nova's defaults (200)", async () => {
      const res = await create({ name: 'auto', ram: '128', vcpus: '1', disk: 0 });
      expect(res.status).toBe(200);
      expect(res.body.flavor).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'auto',
        ram: 128,
        disk: 0,
        swap: '',
        'OS-FLV-EXT-DATA:ephemeral': 0,
        'OS-FLV-DISABLED:disabled': false,
        vcpus: 1,
        'os-flavor-access:is_public': true,
        rxtx_factor: 1,
        links: [
          { rel: 'self', href: `http://localhost:80/v2.1/flavors/${res.body.flavor.id as string}` },
          { rel: 'bookmark', href: `http://localhost:80/flavors/${res.body.flavor.id as string}` },
        ],
      });
    });

    it('takes a number as id, as Nova does, and answers it as a string', async () => {
      const res = await create({ id: 1234567, name: 'numbered', ram: 64, vcpus: 1, disk: 0 });
      expect(res.status).toBe(200);
      expect(res.body.flavor.id).toBe('1234567');
      expect((await api.get('/v2.1/flavors/1234567')).body.flavor.name).toBe('numbered');
    });

    it('is 409 for a duplicate name or id', async () => {
      expect(await create({ name: 'm1.tiny', ram: 1, vcpus: 1, disk: 0 })).toMatchObject({
        status: 409,
        body: { conflictingRequest: { message: 'Flavor with name m1.tiny already exists.' } },
      });
      expect(await create({ id: '1', name: 'fresh', ram: 1, vcpus: 1, disk: 0 })).toMatchObject({
        status: 409,
        body: { conflictingRequest: { message: 'Flavor with ID 1 already exists.' } },
      });
    });

    it('takes a description from 2.55 and rejects it before', async () => {
      expect(
        (await create({ name: 'd1', ram: 1, vcpus: 1, disk: 0, description: 'x' }, '2.54')).status,
      ).toBe(400);
      const res = await create(
        { name: 'd2', ram: 1, vcpus: 1, disk: 0, description: 'small one' },
        '2.55',
      );
      expect(res.body.flavor.description).toBe('small one');
    });
  });

  describe('list and detail', () => {
    it('lists id, name and links, sorted by flavorid', async () => {
      const res = await api.get('/v2.1/flavors?is_public=true', { as: 'member' });
      expect(res.status).toBe(200);
      const ids = (res.body.flavors as Array<{ id: string }>)
        .map((f) => f.id)
        .filter((id) => /^\d$/.test(id));
      expect(ids).toEqual(['1', '2', '3', '4']);
      expect(Object.keys(res.body.flavors[0])).toEqual(['id', 'name', 'links']);
    });

    it('filters by minRam and minDisk, sorts and pages with flavors_links', async () => {
      const big = await api.get('/v2.1/flavors/detail?minRam=4096&minDisk=40');
      expect((big.body.flavors as Array<{ id: string }>).map((f) => f.id)).toEqual(['3', '4']);
      const page = await api.get('/v2.1/flavors?sort_key=memory_mb&sort_dir=desc&limit=2');
      expect((page.body.flavors as Array<{ id: string }>).map((f) => f.id)).toEqual(['4', '3']);
      expect(page.body.flavors_links).toEqual([
        {
          rel: 'next',
          href: 'http://localhost:80/v2.1/flavors?limit=2&marker=3&sort_dir=desc&sort_key=memory_mb',
        },
      ]);
      const next = await api.get('/v2.1/flavors?limit=2&marker=3&sort_dir=desc&sort_key=memory_mb');
      expect((next.body.flavors as Array<{ id: string }>).map((f) => f.id)).toEqual(['2', '1']);
    });

    it('rejects bad filters, sort keys and markers', async () => {
      expect((await api.get('/v2.1/flavors?minRam=big')).body).toEqual({
        badRequest: { code: 400, message: 'Invalid minRam filter [big]' },
      });
      expect((await api.get('/v2.1/flavors?sort_key=color')).status).toBe(400);
      expect((await api.get('/v2.1/flavors?marker=nope')).body).toEqual({
        badRequest: { code: 400, message: 'marker [nope] not found' },
      });
      expect((await api.get('/v2.1/flavors?limit=-1')).status).toBe(400);
      expect((await api.get('/v2.1/flavors?is_public=maybe')).body).toEqual({
        badRequest: { code: 400, message: 'Invalid is_public filter [maybe]' },
      });
    });

    it('ignores unknown query parameters before 2.75 and rejects them from it', async () => {
      expect((await api.get('/v2.1/flavors?color=red', { version: '2.74' })).status).toBe(200);
      expect((await api.get('/v2.1/flavors?color=red', { version: '2.75' })).status).toBe(400);
    });

    it('shows swap as "" before 2.75 and 0 from it; description from 2.55; extra_specs from 2.61', async () => {
      const at = async (version: string) =>
        (await api.get('/v2.1/flavors/1', { version })).body.flavor as Record<string, unknown>;
      expect((await at('2.1'))['swap']).toBe('');
      expect(await at('2.54')).not.toHaveProperty('description');
      expect(await at('2.55')).toHaveProperty('description', null);
      expect(await at('2.60')).not.toHaveProperty('extra_specs');
      expect(await at('2.61')).toHaveProperty('extra_specs', {});
      expect((await at('2.75'))['swap']).toBe(0);
    });
  });

  describe('private flavors and os-flavor-access', () => {
    it('are invisible to projects without access, visible once granted', async () => {
      const listed = async () =>
        (
          (await api.get('/v2.1/flavors', { as: 'member' })).body.flavors as Array<{ id: string }>
        ).map((f) => f.id);
      expect(await listed()).not.toContain('priv');
      expect((await api.get('/v2.1/flavors/priv', { as: 'member' })).status).toBe(404);
      const added = await api.post('/v2.1/flavors/priv/action', {
        addTenantAccess: { tenant: 'demo' },
      });
      expect(added).toMatchObject({
        status: 200,
        body: { flavor_access: [{ flavor_id: 'priv', tenant_id: 'demo' }] },
      });
      expect(await listed()).toContain('priv');
      expect((await api.get('/v2.1/flavors/priv', { as: 'member' })).status).toBe(200);
      expect((await api.get('/v2.1/flavors/priv', { as: 'other' })).status).toBe(404);
    });

    it('lists access for admins; a public flavor has no list (404)', async () => {
      expect(await api.get('/v2.1/flavors/priv/os-flavor-access')).toMatchObject({
        status: 200,
        body: { flavor_access: [{ flavor_id: 'priv', tenant_id: 'demo' }] },
      });
      expect(await api.get('/v2.1/flavors/1/os-flavor-access')).toMatchObject({
        status: 404,
        body: { itemNotFound: { message: 'Access list not available for public flavors.' } },
      });
    });

    it('is 409 for a duplicate grant and, from 2.7, for a public flavor; 404 to remove what is not there', async () => {
      expect(
        await api.post('/v2.1/flavors/priv/action', { addTenantAccess: { tenant: 'demo' } }),
      ).toMatchObject({ status: 409 });
      expect(
        (
          await api.post(
            '/v2.1/flavors/1/action',
            { addTenantAccess: { tenant: 'x' } },
            { version: '2.7' },
          )
        ).status,
      ).toBe(409);
      expect(
        await api.post('/v2.1/flavors/priv/action', { removeTenantAccess: { tenant: 'demo' } }),
      ).toMatchObject({ status: 200, body: { flavor_access: [] } });
      expect(
        await api.post('/v2.1/flavors/priv/action', { removeTenantAccess: { tenant: 'demo' } }),
      ).toMatchObject({
        status: 404,
        body: { itemNotFound: { message: 'Flavor access not found for priv / demo combination.' } },
      });
    });

    it('admins list private flavors with is_public=false or none', async () => {
      const ids = async (q: string) =>
        ((await api.get(`/v2.1/flavors${q}`)).body.flavors as Array<{ id: string }>).map(
          (f) => f.id,
        );
      expect(await ids('?is_public=false')).toEqual(['priv']);
      expect(await ids('?is_public=none')).toContain('priv');
      expect(await ids('')).not.toContain('priv');
    });
  });

  describe('update (2.55) and delete', () => {
    it('updates the description only', async () => {
      const res = await api.put(
        '/v2.1/flavors/2',
        { flavor: { description: 'updated' } },
        { version: '2.55' },
      );
      expect(res).toMatchObject({
        status: 200,
        body: { flavor: { id: '2', description: 'updated' } },
      });
      expect(
        (await api.put('/v2.1/flavors/2', { flavor: { name: 'no' } }, { version: '2.55' })).status,
      ).toBe(400);
    });

    it('deletes with 202, then the flavor is gone', async () => {
      const made = await create({ name: 'doomed', ram: 1, vcpus: 1, disk: 0, id: 'doomed' });
      expect(made.status).toBe(200);
      expect((await api.delete('/v2.1/flavors/doomed')).status).toBe(202);
      expect((await api.get('/v2.1/flavors/doomed')).status).toBe(404);
      expect((await api.delete('/v2.1/flavors/doomed')).status).toBe(404);
    });
  });

  describe('os-extra_specs', () => {
    it('creates, lists, shows, updates and deletes extra specs', async () => {
      expect(
        await api.post('/v2.1/flavors/3/os-extra_specs', {
          extra_specs: { 'hw:cpu_policy': 'dedicated', 'acme:x': 1 },
        }),
      ).toMatchObject({
        status: 200,
        body: { extra_specs: { 'hw:cpu_policy': 'dedicated', 'acme:x': '1' } },
      });
      expect((await api.get('/v2.1/flavors/3/os-extra_specs', { as: 'member' })).body).toEqual({
        extra_specs: { 'hw:cpu_policy': 'dedicated', 'acme:x': '1' },
      });
      expect((await api.get('/v2.1/flavors/3/os-extra_specs/hw:cpu_policy')).body).toEqual({
        'hw:cpu_policy': 'dedicated',
      });
      expect(
        (
          await api.put('/v2.1/flavors/3/os-extra_specs/hw:cpu_policy', {
            'hw:cpu_policy': 'shared',
          })
        ).body,
      ).toEqual({ 'hw:cpu_policy': 'shared' });
      expect(
        (await api.get('/v2.1/flavors/3', { version: '2.61' })).body.flavor.extra_specs,
      ).toEqual({ 'hw:cpu_policy': 'shared', 'acme:x': '1' });
      expect((await api.delete('/v2.1/flavors/3/os-extra_specs/acme:x')).status).toBe(200);
      expect(await api.get('/v2.1/flavors/3/os-extra_specs/acme:x')).toMatchObject({
        status: 404,
        body: { itemNotFound: { message: 'Flavor 3 has no extra specs with key acme:x.' } },
      });
    });

    it('validates known keys from 2.86 only', async () => {
      expect(
        (
          await api.post(
            '/v2.1/flavors/4/os-extra_specs',
            { extra_specs: { 'hw:cpu_policy': 'fast' } },
            { version: '2.85' },
          )
        ).status,
      ).toBe(200);
      const res = await api.post(
        '/v2.1/flavors/4/os-extra_specs',
        { extra_specs: { 'hw:cpu_policy': 'fast' } },
        { version: '2.86' },
      );
      expect(res.status).toBe(400);
      expect(res.body.badRequest.message).toMatch(/hw:cpu_policy/);
      expect(
        (
          await api.post(
            '/v2.1/flavors/4/os-extra_specs',
            { extra_specs: { 'hw:bogus': '1' } },
            { version: '2.86' },
          )
        ).status,
      ).toBe(400);
      expect(
        (
          await api.post(
            '/v2.1/flavors/4/os-extra_specs',
            { extra_specs: { 'thirdparty:thing': '1' } },
            { version: '2.86' },
          )
        ).status,
      ).toBe(200);
    });

    it('checks the PUT body against the URL key', async () => {
      expect((await api.put('/v2.1/flavors/4/os-extra_specs/a', { b: '1' })).body).toEqual({
        badRequest: { code: 400, message: 'Request body and URI mismatch' },
      });
      expect((await api.put('/v2.1/flavors/4/os-extra_specs/a', { a: '1', b: '2' })).body).toEqual({
        badRequest: { code: 400, message: 'Request body contains too many items' },
      });
    });
  });
});
