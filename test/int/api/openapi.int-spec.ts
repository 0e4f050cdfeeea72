import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';

type Doc = {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any> };
};

/** GET /v2.1/openapi.json over HTTP (the whole API stack on MariaDB). */
describe('the OpenAPI document', () => {
  let d: TestDeployment;
  let api: ApiClient;
  const fetchDoc = async (query = '', version?: string): Promise<Doc> => {
    const res = await api.get(`/v2.1/openapi.json${query}`, {
      as: { token: '' },
      ...(version ? { version } : {}),
    });
    expect(res.status).toBe(200);
    return res.body as Doc;
  };
  /** The schema a $ref points at. */
  const deref = (doc: Doc, schema: { $ref?: string }) =>
    doc.components.schemas[(schema.$ref ?? '').replace('#/components/schemas/', '')];

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', cells: [] });
    api = await ApiClient.start(d.sections);
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  it('is OpenAPI 3.1 at the request microversion (2.1 by default), without a token', async () => {
    const doc = await fetchDoc();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('2.1');
    expect(Object.keys(doc.paths['/v2.1/flavors']).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/v2.1/flavors/{flavor_id}']['get'].parameters).toEqual([
      { name: 'flavor_id', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(doc.paths['/v2.1/flavors']['post']).toMatchObject({
      'x-openstack-policy': 'os_compute_api:os-flavor-manage:create',
      responses: { '200': expect.any(Object), default: expect.any(Object) },
    });
    // Project-id and legacy /v2 twins are not listed separately.
    expect(
      Object.keys(doc.paths).some((p) => p.includes('project_id') || p.startsWith('/v2/')),
    ).toBe(false);
  });

  it('request bodies come from the validation DTOs, per microversion', async () => {
    const at21 = await fetchDoc();
    const body21 = deref(
      at21,
      at21.paths['/v2.1/flavors']['post'].requestBody.content['application/json'].schema,
    );
    expect(body21).toMatchObject({ type: 'object', required: ['flavor'] });
    const flavor21 = deref(at21, body21.properties.flavor);
    expect(flavor21.properties.name).toMatchObject({
      type: 'string',
      minLength: 1,
      maxLength: 255,
    });
    expect(flavor21.required).toEqual(expect.arrayContaining(['name', 'ram', 'vcpus', 'disk']));
    expect(flavor21.properties.description).toBeUndefined();

    const at255 = await fetchDoc('?microversion=2.55');
    expect(at255.info.version).toBe('2.55');
    const body255 = deref(
      at255,
      at255.paths['/v2.1/flavors']['post'].requestBody.content['application/json'].schema,
    );
    expect(deref(at255, body255.properties.flavor).properties.description).toBeDefined();
    // The header works as well as the query.
    expect((await fetchDoc('', '2.55')).info.version).toBe('2.55');
  });

  it('what the document says is what the validation does', async () => {
    const doc = await fetchDoc();
    const body = deref(
      doc,
      doc.paths['/v2.1/flavors']['post'].requestBody.content['application/json'].schema,
    );
    const max = deref(doc, body.properties.flavor).properties.name.maxLength as number;
    const create = (name: string) =>
      api.post('/v2.1/flavors', { flavor: { name, ram: 64, vcpus: 1, disk: 0 } });
    expect((await create('x'.repeat(max + 1))).status).toBe(400);
    expect((await create('x'.repeat(max))).status).toBe(200);
  });

  it('routes outside the microversion are left out', async () => {
    expect((await fetchDoc('?microversion=2.42')).paths['/v2.1/os-hosts']).toBeDefined();
    expect((await fetchDoc('?microversion=2.43')).paths['/v2.1/os-hosts']).toBeUndefined();
    expect((await fetchDoc('?microversion=latest')).info.version).toBe('2.93');
  });

  it("a bad microversion is Nova's 400 or 406", async () => {
    const bad = await api.get('/v2.1/openapi.json?microversion=two', { as: { token: '' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toEqual(['badRequest']);
    const high = await api.get('/v2.1/openapi.json?microversion=3.0', { as: { token: '' } });
    expect(high.status).toBe(406);
  });
});
