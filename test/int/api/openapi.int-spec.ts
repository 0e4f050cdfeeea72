import 'reflect-metadata';
import Ajv2020 from 'ajv/dist/2020';
import { ApiVersion } from '../../../libs/compute-api/src/http/api-version';
import { parseServerAction, SERVER_ACTIONS } from '../../../libs/compute-api/src/dto/servers';
import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';

type Doc = {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any>; responses: Record<string, any> };
};

const ACTION = '/v2.1/servers/{server_id}/action';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** The action names the action route's body may carry in a document. */
const actionNames = (doc: Doc): string[] =>
  (
    doc.paths[ACTION]['post'].requestBody.content['application/json'].schema.oneOf as Array<{
      title: string;
    }>
  ).map((o) => o.title);

/** A query parameter of an operation, if listed. */
const queryParam = (doc: Doc, path: string, name: string) =>
  (doc.paths[path]['get'].parameters as Array<{ name: string; in: string; schema: any }>).find(
    (p) => p.in === 'query' && p.name === name,
  );

/** Every `$ref` in a JSON value. */
function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((v) => refsIn(v, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') {
        out.push(v);
      } else {
        refsIn(v, out);
      }
    }
  }
  return out;
}

/**
 * What can be checked of OpenAPI 3.1 without its meta-schema (not in
 * node_modules): the top level, every $ref resolving inside the document,
 * every operation with a described 2xx response, path templates matching the
 * path parameters, unique operation ids, and every schema valid JSON Schema
 * 2020-12 (Ajv's meta-schema) that compiles with its references.
 */
function structuralProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const pointer = (ref: string): unknown =>
    ref.startsWith('#/')
      ? ref
          .slice(2)
          .split('/')
          .reduce<any>((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc)
      : undefined;
  for (const ref of new Set(refsIn(doc))) {
    if (pointer(ref) === undefined) {
      problems.push(`unresolved ${ref}`);
    }
  }
  const deref = (v: any) => (v?.$ref ? pointer(v.$ref) : v);
  const ids = new Set<string>();
  const schemas: Array<[string, unknown]> = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) {
      problems.push(`path ${path} does not start with /`);
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.includes(method)) {
        problems.push(`${where}: not an HTTP method`);
        continue;
      }
      if (ids.has(op.operationId)) {
        problems.push(`${where}: operationId ${op.operationId} twice`);
      }
      ids.add(op.operationId);
      const params = (op.parameters ?? []) as any[];
      const inPath = params.filter((p) => p.in === 'path');
      if (JSON.stringify(inPath.map((p) => p.name).sort()) !== JSON.stringify(templated)) {
        problems.push(`${where}: path parameters do not match the template`);
      }
      for (const p of params) {
        if (!['path', 'query', 'header', 'cookie'].includes(p.in) || !p.name || !p.schema) {
          problems.push(`${where}: bad parameter ${JSON.stringify(p)}`);
        }
        if (p.in === 'path' && p.required !== true) {
          problems.push(`${where}: path parameter ${p.name} not required`);
        }
        schemas.push([`${where} ${p.name}`, p.schema]);
      }
      const responses = Object.entries((op.responses ?? {}) as Record<string, unknown>);
      if (!responses.some(([code]) => /^2(\d\d|XX)$/.test(code))) {
        problems.push(`${where}: no success response`);
      }
      for (const [code, response] of responses) {
        if (!/^([1-5](\d\d|XX)|default)$/.test(code)) {
          problems.push(`${where}: response key ${code}`);
        }
        if (typeof deref(response)?.description !== 'string') {
          problems.push(`${where} ${code}: response without a description`);
        }
      }
      const body = op.requestBody?.content?.['application/json']?.schema;
      if (op.requestBody && !body) {
        problems.push(`${where}: requestBody without a JSON schema`);
      } else if (body) {
        schemas.push([`${where} body`, body]);
      }
    }
  }
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    schemas.push([`components.schemas.${name}`, schema]);
  }
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema(doc, 'https://nova.invalid/openapi.json');
  for (const [where, schema] of schemas) {
    if (!ajv.validateSchema(schema as object)) {
      problems.push(`${where}: ${ajv.errorsText(ajv.errors)}`);
    }
  }
  for (const name of Object.keys(doc.components.schemas)) {
    try {
      ajv.compile({ $ref: `https://nova.invalid/openapi.json#/components/schemas/${name}` });
    } catch (err) {
      problems.push(`components.schemas.${name}: ${(err as Error).message}`);
    }
  }
  return problems;
}

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

  it('the action route offers the action bodies of the microversion', async () => {
    const at21 = await fetchDoc();
    const at244 = await fetchDoc('?microversion=2.44');
    const at293 = await fetchDoc('?microversion=2.93');
    // addFloatingIp until 2.43, the legacy consoles until 2.5, trigger_crash_dump from 2.17.
    expect(actionNames(at21)).toEqual(
      expect.arrayContaining(['reboot', 'resize', 'createImage', 'os-migrateLive', 'shelve']),
    );
    expect(actionNames(at21)).toEqual(
      expect.arrayContaining(['addFloatingIp', 'os-getVNCConsole']),
    );
    expect(actionNames(at21)).not.toContain('trigger_crash_dump');
    expect(actionNames(at244)).not.toContain('addFloatingIp');
    expect(actionNames(at244)).not.toContain('os-getVNCConsole');
    expect(actionNames(at244)).toContain('trigger_crash_dump');

    // Each body is a single-key object named by the action, versioned like the validation.
    const oneOf = (doc: Doc) =>
      doc.paths[ACTION]['post'].requestBody.content['application/json'].schema.oneOf as any[];
    const body = (doc: Doc, name: string) => {
      const entry = oneOf(doc).find((o) => o.title === name);
      return entry.$ref ? deref(doc, entry) : entry;
    };
    for (const entry of oneOf(at293)) {
      const schema = entry.$ref ? deref(at293, entry) : entry;
      expect(schema).toMatchObject({ required: [entry.title], additionalProperties: false });
    }
    const reboot = body(at21, 'reboot');
    expect(deref(at21, reboot.properties.reboot).properties.type.enum).toContain('HARD');
    // lock: the body is not looked at before 2.73; it may carry locked_reason from then on.
    expect(body(at21, 'lock').properties.lock.$ref).toBeUndefined();
    const lock = body(at293, 'lock').properties.lock;
    expect(lock.anyOf).toEqual([
      { type: 'null' },
      expect.objectContaining({ $ref: expect.any(String) }),
    ]);
    expect(deref(at293, lock.anyOf[1]).properties.locked_reason).toMatchObject({ maxLength: 255 });
    // os-migrateLive's block_migration took 'auto' from 2.25; force only 2.30-2.67.
    const live = (doc: Doc) =>
      deref(doc, body(doc, 'os-migrateLive').properties['os-migrateLive']).properties;
    expect(live(at21).disk_over_commit).toBeDefined();
    expect(live(at293).disk_over_commit).toBeUndefined();
    expect(live(await fetchDoc('?microversion=2.30')).force).toBeDefined();
    expect(live(at293).force).toBeUndefined();
  });

  it('the listed actions are the ones the dispatcher takes at that microversion', async () => {
    for (const version of ['2.1', '2.44', '2.93']) {
      const listed = actionNames(await fetchDoc(`?microversion=${version}`));
      for (const name of Object.keys(SERVER_ACTIONS)) {
        let outcome = 'taken';
        try {
          parseServerAction({ [name]: null }, ApiVersion.parse(version));
        } catch (err) {
          const code = (err as { code?: number }).code;
          // 400 is the action's schema refusing null: the action itself exists.
          outcome = code === 400 ? 'taken' : String(code);
        }
        expect([name, outcome]).toEqual([name, listed.includes(name) ? 'taken' : '404']);
      }
    }
  });

  it('query parameters come from the query schemas the lists check, per microversion', async () => {
    const at265 = await fetchDoc('?microversion=2.65');
    const at266 = await fetchDoc('?microversion=2.66');
    expect(queryParam(at265, '/v2.1/servers', 'changes-before')).toBeUndefined();
    expect(queryParam(at266, '/v2.1/servers', 'changes-before')).toEqual({
      name: 'changes-before',
      in: 'query',
      required: false,
      schema: { type: 'string', format: 'date-time' },
    });
    for (const name of ['name', 'status', 'limit', 'marker', 'sort_key', 'sort_dir']) {
      expect(queryParam(at266, '/v2.1/servers/detail', name)).toBeDefined();
    }
    // sort_key's enum follows the version too: the keys Nova ignored are 400 from 2.75.
    const sortKeys = (doc: Doc) => queryParam(doc, '/v2.1/servers', 'sort_key')!.schema.enum;
    expect(sortKeys(await fetchDoc('?microversion=2.74'))).toContain('architecture');
    const at275 = await fetchDoc('?microversion=2.75');
    expect(sortKeys(at275)).not.toContain('architecture');
    expect(sortKeys(at275)).toEqual(expect.arrayContaining(['locked', 'display_name']));
    // Other lists: migrations page from 2.59, flavors always.
    expect(
      queryParam(await fetchDoc('?microversion=2.58'), '/v2.1/os-migrations', 'limit'),
    ).toBeUndefined();
    expect(
      queryParam(await fetchDoc('?microversion=2.59'), '/v2.1/os-migrations', 'limit'),
    ).toBeDefined();
    expect(queryParam(at265, '/v2.1/flavors', 'minRam')).toBeDefined();

    // What the document lists is what the list takes (from 2.75 unknown names are 400).
    expect(queryParam(at275, '/v2.1/flavors', 'bogus')).toBeUndefined();
    expect((await api.get('/v2.1/flavors?minRam=1', { version: '2.75' })).status).toBe(200);
    expect((await api.get('/v2.1/flavors?bogus=1', { version: '2.75' })).status).toBe(400);
  });

  it('responses: the success status and the faults the route can answer', async () => {
    const doc = await fetchDoc('?microversion=2.93');
    const codes = (path: string, method: string) =>
      Object.keys(doc.paths[path][method].responses).sort();
    // An action: a body (400), a token (401), policies (403), a server (404), its state (409).
    expect(codes(ACTION, 'post')).toEqual([
      '2XX',
      '400',
      '401',
      '403',
      '404',
      '409',
      '500',
      'default',
    ]);
    expect(doc.paths[ACTION]['post'].responses['409']).toEqual({
      $ref: '#/components/responses/conflictingRequest',
    });
    // A policy-checked item without a body: no 400, no 409.
    expect(codes('/v2.1/os-hypervisors/{id}', 'get')).toEqual(
      expect.arrayContaining(['200', '401', '403', '404', '500']),
    );
    expect(codes('/v2.1/os-services/{id}', 'delete')).toContain('204');
    // The document itself: public (no 401), a query (400).
    expect(codes('/v2.1/openapi.json', 'get')).toEqual(['200', '400', '500', 'default']);
    expect(doc.components.schemas['badRequest']).toMatchObject({
      required: ['badRequest'],
      properties: { badRequest: { required: ['code', 'message'] } },
    });
    expect(doc.components.responses['itemNotFound'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/itemNotFound',
    });

    // The fault bodies the API answers fit the schemas the document gives them.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema(doc, 'https://nova.invalid/openapi.json');
    const fits = (name: string, body: unknown) =>
      ajv.validate({ $ref: `https://nova.invalid/openapi.json#/components/schemas/${name}` }, body);
    const missing = await api.post('/v2.1/servers/00000000-0000-0000-0000-000000000000/action', {
      reboot: { type: 'HARD' },
    });
    expect(missing.status).toBe(404);
    expect(fits('itemNotFound', missing.body)).toBe(true);
    const bad = await api.post('/v2.1/servers/00000000-0000-0000-0000-000000000000/action', {
      reboot: { type: 'FAST' },
    });
    expect(bad.status).toBe(400);
    expect(fits('badRequest', bad.body)).toBe(true);
    expect(fits('itemNotFound', bad.body)).toBe(false);
    const noToken = await api.get('/v2.1/flavors', { as: { token: '' } });
    expect(noToken.status).toBe(401);
    expect(fits('unauthorized', noToken.body)).toBe(true);
  });

  it('is structurally valid OpenAPI 3.1 at several microversions', async () => {
    for (const version of ['2.1', '2.44', '2.73', 'latest']) {
      expect([version, structuralProblems(await fetchDoc(`?microversion=${version}`))]).toEqual([
        version,
        [],
      ]);
    }
  });

  it("a bad microversion is Nova's 400 or 406", async () => {
    const bad = await api.get('/v2.1/openapi.json?microversion=two', { as: { token: '' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toEqual(['badRequest']);
    const high = await api.get('/v2.1/openapi.json?microversion=3.0', { as: { token: '' } });
    expect(high.status).toBe(406);
  });
});
