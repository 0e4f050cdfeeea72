import { ApiClient, faultName } from '../../support/api-client';
import { redisCache } from '../../support/config';
import { TestDeployment } from '../../support/deployment';
import { KeystoneDouble } from '../../support/keystone-double';

/** The API frame: versions, microversions, request ids, faults, auth (MariaDB + Redis). */
describe('compute API frame', () => {
  let d: TestDeployment;
  let api: ApiClient;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1'] });
    api = await ApiClient.start(d.sections);
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  describe('version discovery', () => {
    it('GET / answers 200 with the versions list, without a token', async () => {
      const res = await api.get('/', { as: { token: '' } });
      expect(res.status).toBe(200);
      expect(res.body.versions).toEqual([
        expect.objectContaining({
          id: 'v2.0',
          status: 'SUPPORTED',
          links: [{ rel: 'self', href: 'http://localhost:80/v2/' }],
        }),
        expect.objectContaining({
          id: 'v2.1',
          status: 'CURRENT',
          version: '2.93',
          min_version: '2.1',
          links: [{ rel: 'self', href: 'http://localhost:80/v2.1/' }],
        }),
      ]);
    });

    it.each(['/v2.1', '/v2.1/'])('GET %s is the version document', async (url) => {
      const res = await api.get(url, { as: { token: '' } });
      expect(res.status).toBe(200);
      expect(res.body.version).toMatchObject({
        id: 'v2.1',
        version: '2.93',
        min_version: '2.1',
        'media-types': [{ base: 'application/json' }],
      });
      expect(res.headers['openstack-api-version']).toBe('compute 2.1');
    });
  });

  describe('the legacy v2 endpoint', () => {
    it('has its version document and serves the API at 2.1, without microversion headers', async () => {
      const doc = await api.get('/v2/', { as: { token: '' } });
      expect(doc.body.version).toMatchObject({ id: 'v2.0', status: 'SUPPORTED' });
      const res = await api.get('/v2/admin/flavors', {
        headers: { 'openstack-api-version': 'compute 2.61' },
      });
      expect(res.status).toBe(200);
      expect(res.headers['openstack-api-version']).toBeUndefined();
      expect(res.headers['x-openstack-nova-api-version']).toBeUndefined();
      expect((await api.get('/v2/flavors/detail')).status).toBe(200);
      expect((await api.get('/v2/admin/flavors/nope')).status).toBe(404);
    });
  });

  describe('microversions', () => {
    it('defaults to 2.1 and echoes the version in both headers, with Vary', async () => {
      const res = await api.get('/v2.1/flavors');
      expect(res.headers['openstack-api-version']).toBe('compute 2.1');
      expect(res.headers['x-openstack-nova-api-version']).toBe('2.1');
      expect(res.headers['vary']).toBe('OpenStack-API-Version, X-OpenStack-Nova-API-Version');
    });

    it('takes the new header over the legacy one, and latest is the maximum', async () => {
      const both = await api.get('/v2.1/flavors', {
        headers: {
          'openstack-api-version': 'compute 2.55',
          'x-openstack-nova-api-version': '2.10',
        },
      });
      expect(both.headers['openstack-api-version']).toBe('compute 2.55');
      const legacy = await api.get('/v2.1/flavors', {
        headers: { 'x-openstack-nova-api-version': '2.10' },
      });
      expect(legacy.headers['x-openstack-nova-api-version']).toBe('2.10');
      const latest = await api.get('/v2.1/flavors', { version: 'latest' });
      expect(latest.headers['openstack-api-version']).toBe('compute 2.93');
      const multi = await api.get('/v2.1/flavors', {
        headers: { 'openstack-api-version': 'volume 3.0, compute 2.61' },
      });
      expect(multi.headers['openstack-api-version']).toBe('compute 2.61');
    });

    it.each([['2.999'], ['3.0'], ['2.0'], ['1.1']])('rejects %s with 406', async (version) => {
      const res = await api.get('/v2.1/flavors', { version });
      expect(res.status).toBe(406);
      expect(res.body).toEqual({
        computeFault: {
          code: 406,
          message: `Version ${version} is not supported by the API. Minimum is 2.1 and maximum is 2.93.`,
        },
      });
      expect(res.headers['openstack-api-version']).toBe(`compute ${version}`);
    });

    it.each([['2'], ['2.1.1'], ['abc'], ['2.01'], ['']])(
      'rejects the malformed %j with 400',
      async (version) => {
        const res = await api.get('/v2.1/flavors', {
          headers: { 'x-openstack-nova-api-version': version },
        });
        expect(res.status).toBe(400);
        expect(faultName(res.body)).toBe('badRequest');
      },
    );

    it('answers 404 for a route outside its microversions', async () => {
      const res = await api.put(
        '/v2.1/flavors/x',
        { flavor: { description: 'd' } },
        { version: '2.54' },
      );
      expect(res).toMatchObject({
        status: 404,
        body: { itemNotFound: { code: 404, message: 'The resource could not be found.' } },
      });
    });
  });

  describe('request ids', () => {
    it('returns the same req-<uuid> in both headers, new for each request', async () => {
      const a = await api.get('/v2.1/flavors');
      const b = await api.get('/v2.1/flavors');
      expect(a.headers['x-openstack-request-id']).toMatch(/^req-[0-9a-f-]{36}$/);
      expect(a.headers['x-compute-request-id']).toBe(a.headers['x-openstack-request-id']);
      expect(b.headers['x-openstack-request-id']).not.toBe(a.headers['x-openstack-request-id']);
    });

    it('has them on faults too', async () => {
      const res = await api.get('/v2.1/flavors/nope');
      expect(res.status).toBe(404);
      expect(res.headers['x-openstack-request-id']).toMatch(/^req-/);
    });
  });

  describe('legacy extensions', () => {
    it("lists Nova's extensions and shows one by alias, to any caller", async () => {
      const list = await api.get('/v2.1/extensions', { as: 'member' });
      expect(list.status).toBe(200);
      const byAlias = new Map(
        (list.body.extensions as Array<{ alias: string; name: string }>).map((e) => [e.alias, e]),
      );
      expect(byAlias.get('os-hosts')?.name).toBe('Hosts');
      const one = await api.get('/v2.1/extensions/os-consoles', { as: 'member' });
      expect(one.body).toEqual({
        extension: {
          alias: 'os-consoles',
          name: 'Consoles',
          description: 'Interactive Console support.',
          namespace: 'http://docs.openstack.org/compute/ext/fake_xml',
          updated: '2014-12-03T00:00:00Z',
          links: [],
        },
      });
      expect((await api.get('/v2.1/extensions/os-nothing')).status).toBe(404);
    });
  });

  describe('faults', () => {
    it('unknown routes are itemNotFound', async () => {
      const res = await api.get('/v2.1/no-such-resource');
      expect(res).toMatchObject({
        status: 404,
        body: { itemNotFound: { code: 404, message: 'The resource could not be found.' } },
      });
      expect(res.headers['content-type']).toBe('application/json; charset=UTF-8');
    });

    it('a resource path with a trailing slash is not found, as in Nova', async () => {
      for (const [method, path] of [
        ['GET', '/v2.1/flavors/'],
        ['DELETE', '/v2.1/os-keypairs/'],
        ['GET', '/v2.1/os-simple-tenant-usage/'],
      ] as const) {
        const res = await api.request(method, path);
        expect(res).toMatchObject({ status: 404, body: { itemNotFound: { code: 404 } } });
      }
      expect((await api.get('/v2.1/flavors')).status).toBe(200);
    });

    it('a wrong method is badMethod (405) with Allow', async () => {
      const res = await api.request('PATCH', '/v2.1/flavors');
      expect(res).toMatchObject({ status: 405, body: { badMethod: { code: 405 } } });
      expect(res.headers['allow']).toBe('GET, POST');
      const item = await api.request('PATCH', '/v2.1/flavors/1');
      expect(item.status).toBe(405);
      expect(String(item.headers['allow']).split(', ').sort()).toEqual(['DELETE', 'GET', 'PUT']);
    });

    it('bad JSON is badRequest; a non-JSON body is badMediaType (415)', async () => {
      expect(await api.request('POST', '/v2.1/flavors', { raw: '{bad' })).toMatchObject({
        status: 400,
        body: { badRequest: { message: 'Malformed request body' } },
      });
      for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
        const res = await api.request('POST', '/v2.1/flavors', {
          raw: 'x=1',
          headers: { 'content-type': type },
        });
        expect(res).toMatchObject({ status: 415, body: { badMediaType: { code: 415 } } });
      }
    });

    it('an empty JSON body is no body (as Tempest sends DELETE and PUT), and 400 where one is needed', async () => {
      const created = await api.post('/v2.1/os-aggregates', { aggregate: { name: 'empty-body' } });
      expect(created.status).toBe(200);
      const res = await api.request('DELETE', `/v2.1/os-aggregates/${created.body.aggregate.id}`, {
        raw: '',
      });
      expect(res.status).toBe(200);
      expect((await api.get(`/v2.1/os-aggregates/${created.body.aggregate.id}`)).status).toBe(404);
      expect(await api.request('POST', '/v2.1/flavors', { raw: '' })).toMatchObject({
        status: 400,
        body: { badRequest: { message: "None is not of type 'object'" } },
      });
    });

    it("a project id in the URL must be the token's", async () => {
      expect((await api.get('/v2.1/demo/flavors', { as: 'member' })).status).toBe(200);
      const res = await api.get('/v2.1/other/flavors', { as: 'member' });
      expect(res).toMatchObject({
        status: 400,
        body: {
          badRequest: {
            message:
              "Malformed request URL: URL's project_id 'other' doesn't match Context's project_id 'demo'",
          },
        },
      });
    });

    it('a policy refusal is forbidden (403) naming the rule', async () => {
      const res = await api.post(
        '/v2.1/flavors',
        { flavor: { name: 'x', ram: 1, vcpus: 1, disk: 0 } },
        { as: 'member' },
      );
      expect(res).toEqual(
        expect.objectContaining({
          status: 403,
          body: {
            forbidden: {
              code: 403,
              message:
                "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.",
            },
          },
        }),
      );
    });
  });

  describe('noauth2', () => {
    it("needs a token: 401 with WWW-Authenticate and keystonemiddleware's body", async () => {
      const res = await api.get('/v2.1/flavors', { as: { token: '' } });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Keystone uri=/);
      expect(res.body).toEqual({
        error: {
          code: 401,
          title: 'Unauthorized',
          message: 'The request you have made requires authentication.',
        },
      });
    });
  });
});

describe('keystone auth_strategy (against a local Keystone double)', () => {
  let d: TestDeployment;
  let keystone: KeystoneDouble;
  let api: ApiClient;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: [] });
    keystone = new KeystoneDouble({ username: 'nova', password: 'novapass' });
    await keystone.start();
    keystone.tokens.set('tok-admin', { userId: 'u-admin', projectId: 'p-admin', roles: ['admin'] });
    keystone.tokens.set('tok-member', {
      userId: 'u-1',
      projectId: 'p-1',
      roles: ['member', 'reader'],
    });
    keystone.tokens.set('tok-expired', {
      userId: 'u-2',
      projectId: 'p-1',
      roles: ['member'],
      expiresAt: new Date(Date.now() - 1000),
    });
    api = await ApiClient.start({
      ...d.sections,
      cache: redisCache(d.id),
      api: { auth_strategy: 'keystone' },
      keystone_authtoken: {
        auth_url: keystone.url,
        www_authenticate_uri: 'http://keystone.example:5000',
        username: 'nova',
        password: 'novapass',
        token_cache_time: '300',
      },
    });
  });

  afterAll(async () => {
    await api.close();
    await keystone.stop();
    await d.cleanup();
  });

  it('accepts a valid token, with its roles', async () => {
    const admin = await api.post(
      '/v2.1/flavors',
      { flavor: { name: 'ks', ram: 64, vcpus: 1, disk: 0 } },
      { as: { token: 'tok-admin' } },
    );
    expect(admin.status).toBe(200);
    const member = await api.post(
      '/v2.1/flavors',
      { flavor: { name: 'ks2', ram: 64, vcpus: 1, disk: 0 } },
      { as: { token: 'tok-member' } },
    );
    expect(member.status).toBe(403);
    expect((await api.get('/v2.1/flavors', { as: { token: 'tok-member' } })).status).toBe(200);
  });

  it('caches validated tokens (in Redis) instead of asking Keystone each time', async () => {
    const before = keystone.validations;
    for (let i = 0; i < 5; i++) {
      expect((await api.get('/v2.1/flavors', { as: { token: 'tok-member' } })).status).toBe(200);
    }
    expect(keystone.validations).toBe(before);
  });

  it.each([['tok-unknown'], ['tok-expired'], ['']])(
    'refuses %j with 401 and the configured WWW-Authenticate',
    async (token) => {
      const res = await api.get('/v2.1/flavors', { as: { token } });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Keystone uri="http://keystone.example:5000"');
    },
  );

  it('gets a new service token when Keystone stops honouring the old one', async () => {
    keystone.tokens.set('tok-fresh', { userId: 'u-3', projectId: 'p-3', roles: ['member'] });
    const logins = keystone.serviceLogins;
    keystone.revokeServiceTokens();
    expect((await api.get('/v2.1/flavors', { as: { token: 'tok-fresh' } })).status).toBe(200);
    expect(keystone.serviceLogins).toBe(logins + 1);
  });

  it('does not start without the service credentials it needs', async () => {
    await expect(
      ApiClient.start({
        ...d.sections,
        api: { auth_strategy: 'keystone' },
        keystone_authtoken: { auth_url: keystone.url },
      }),
    ).rejects.toThrow(/needs \[keystone_authtoken\] auth_url, username and password/);
  });
});
