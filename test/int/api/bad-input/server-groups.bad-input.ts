import { QuotaService } from '@nova/quota';
import { ServerGroupRepository } from '@nova/server-groups';
import { eachValue, type BadInputCase, type BadInputSuite } from './bad-input-case';

const URL = '/v2.1/os-server-groups';
/** Groups made by the setup with known ids: one of project demo, one of project other. */
const DEMO_GROUP = '5e7c2b1a-0d4f-4c3e-9a61-bad100000001';
const OTHER_GROUP = '5e7c2b1a-0d4f-4c3e-9a61-bad100000002';

const bad = { method: 'POST' as const, url: URL, status: 400, fault: 'badRequest' };
const v21 = (group: Record<string, unknown>) => ({ server_group: group });
const valid21 = { name: 'bi-sg', policies: ['anti-affinity'] };
const valid264 = { name: 'bi-sg', policy: 'anti-affinity' };

const names: BadInputCase[] = eachValue(
  bad,
  'name',
  [12, '', ' lead', 'trail ', 'x'.repeat(256), null, true, ['a'], { a: 1 }, 'tab\there'],
  (name) => v21({ ...valid21, name }),
);

const policies: BadInputCase[] = [
  ...eachValue(
    bad,
    'policies',
    [
      'affinity',
      [],
      ['affinity', 'anti-affinity'],
      ['affinity', 'affinity'],
      ['bogus'],
      [1],
      null,
      [null],
      { affinity: true },
      ['soft-affinity'],
      ['Affinity'],
    ],
    (value) => v21({ ...valid21, policies: value }),
  ),
  {
    ...bad,
    name: 'soft-anti-affinity at 2.14',
    body: v21({ ...valid21, policies: ['soft-anti-affinity'] }),
    version: '2.14',
  },
  { ...bad, name: 'missing name', body: v21({ policies: ['affinity'] }) },
  { ...bad, name: 'missing policies', body: v21({ name: 'x' }) },
  {
    ...bad,
    name: 'policy before 2.64',
    body: v21({ ...valid21, policy: 'affinity' }),
    version: '2.63',
  },
  { ...bad, name: 'rules before 2.64', body: v21({ ...valid21, rules: {} }), version: '2.63' },
  { ...bad, name: 'metadata in the body', body: v21({ ...valid21, metadata: {} }) },
  { ...bad, name: 'unknown field', body: v21({ ...valid21, colour: 'red' }) },
  { ...bad, name: 'unknown root key', body: { server_group: valid21, extra: 1 } },
  { ...bad, name: 'missing root key', body: { servergroup: valid21 } },
  { ...bad, name: 'server_group is a string', body: { server_group: 'g' } },
  { ...bad, name: 'server_group is null', body: { server_group: null } },
  { ...bad, name: 'server_group is a list', body: { server_group: [valid21] } },
  { ...bad, name: 'body is a JSON array', raw: '[{"server_group": {}}]' },
  { ...bad, name: 'body is malformed JSON', raw: '{"server_group": ' },
  { ...bad, name: 'empty body', raw: '' },
  {
    ...bad,
    name: 'text/plain body',
    raw: 'name=x',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    fault: 'badMediaType',
  },
];

const at264 = { ...bad, version: '2.64' };
const v264Cases: BadInputCase[] = [
  { ...at264, name: '2.64: policies instead of policy', body: v21(valid21) },
  { ...at264, name: '2.64: missing policy', body: v21({ name: 'x' }) },
  { ...at264, name: '2.64: missing name', body: v21({ policy: 'affinity' }) },
  ...eachValue(at264, '2.64: policy', ['bogus', ['affinity'], null, 5, ''], (policy) =>
    v21({ ...valid264, policy }),
  ),
  ...eachValue(
    at264,
    '2.64: rules',
    [null, [], 'x', { foo: 1 }, { max_server_per_host: 1, x: 1 }],
    (rules) => v21({ ...valid264, rules }),
  ),
  ...eachValue(
    at264,
    '2.64: max_server_per_host',
    [0, -1, 'abc', 1.5, null, true, '', '0', '-1', [2], { n: 2 }],
    (max) => v21({ ...valid264, rules: { max_server_per_host: max } }),
  ),
  ...['affinity', 'soft-affinity', 'soft-anti-affinity'].map((policy) => ({
    ...at264,
    name: `2.64: rules with ${policy}`,
    body: v21({ name: 'x', policy, rules: { max_server_per_host: 2 } }),
  })),
  {
    ...at264,
    name: 'latest: rules with affinity',
    version: '2.93',
    body: v21({ name: 'x', policy: 'affinity', rules: { max_server_per_host: 2 } }),
  },
];

const refusals: BadInputCase[] = [
  {
    ...bad,
    name: 'create as a reader',
    as: 'reader',
    body: v21(valid21),
    status: 403,
    fault: 'forbidden',
  },
  {
    ...bad,
    name: 'create over the server_groups quota',
    headers: { 'x-auth-token': 'bi-user:bi-quota' },
    body: v21(valid21),
    status: 403,
    fault: 'forbidden',
  },
  {
    ...bad,
    name: "create under another project's URL",
    url: '/v2.1/other/os-server-groups',
    as: 'member',
    body: v21(valid21),
  },
  {
    name: 'delete as a reader',
    method: 'DELETE',
    url: `${URL}/${DEMO_GROUP}`,
    as: 'reader',
    status: 403,
    fault: 'forbidden',
  },
];

const notFound = { status: 404, fault: 'itemNotFound' };
const lookups: BadInputCase[] = [
  {
    ...notFound,
    name: 'show an unknown group',
    method: 'GET',
    url: `${URL}/2d2c5d4e-8f0b-4f4e-b0f6-8d5f3b0c0a99`,
  },
  { ...notFound, name: 'show a non-uuid id', method: 'GET', url: `${URL}/not-a-uuid` },
  {
    ...notFound,
    name: 'delete an unknown group',
    method: 'DELETE',
    url: `${URL}/2d2c5d4e-8f0b-4f4e-b0f6-8d5f3b0c0a99`,
  },
  {
    ...notFound,
    name: "show another project's group",
    method: 'GET',
    url: `${URL}/${OTHER_GROUP}`,
    as: 'member',
  },
  {
    ...notFound,
    name: "delete another project's group",
    method: 'DELETE',
    url: `${URL}/${OTHER_GROUP}`,
    as: 'member',
  },
  {
    ...notFound,
    name: 'delete a demo group as another project',
    method: 'DELETE',
    url: `${URL}/${DEMO_GROUP}`,
    as: 'other',
  },
];

const queries: BadInputCase[] = [
  ...[
    'limit=x',
    'limit=-1',
    'limit=1.5',
    'limit=',
    'offset=x',
    'offset=-2',
    'offset=',
    'limit=1&limit=x',
    'offset=1e3',
  ].map((q) => ({ ...bad, method: 'GET' as const, name: `GET ?${q}`, url: `${URL}?${q}` })),
  ...['colour=red', 'all_projects=1&junk=1', 'sort_key=name', 'marker=x'].map((q) => ({
    ...bad,
    method: 'GET' as const,
    name: `unknown query ${q} at 2.75`,
    url: `${URL}?${q}`,
    version: '2.75',
  })),
];

const frame: BadInputCase[] = [
  {
    ...bad,
    name: 'malformed microversion',
    body: v21(valid21),
    headers: { 'openstack-api-version': 'compute 2.x' },
  },
  {
    ...bad,
    name: 'microversion 2.94',
    body: v21(valid21),
    version: '2.94',
    status: 406,
    fault: 'computeFault',
  },
  {
    name: 'PUT a group',
    method: 'PUT',
    url: `${URL}/${DEMO_GROUP}`,
    body: v21(valid21),
    status: 405,
    fault: 'badMethod',
  },
  {
    name: 'POST to a group',
    method: 'POST',
    url: `${URL}/${DEMO_GROUP}`,
    body: v21(valid21),
    status: 405,
    fault: 'badMethod',
  },
  { name: 'DELETE the collection', method: 'DELETE', url: URL, status: 405, fault: 'badMethod' },
];

export const serverGroupsBadInput: BadInputSuite = {
  resource: 'server-groups',
  setup: async (api) => {
    const repo = api.app.get(ServerGroupRepository);
    for (const [uuid, project] of [
      [DEMO_GROUP, 'demo'],
      [OTHER_GROUP, 'other'],
    ] as const) {
      await repo.create({
        uuid,
        name: `bi-${project}`,
        projectId: project,
        userId: project,
        policy: 'anti-affinity',
        rules: {},
      });
    }
    await api.app.get(QuotaService).setProjectLimits('bi-quota', { server_groups: 0 });
  },
  cases: [...names, ...policies, ...v264Cases, ...refusals, ...lookups, ...queries, ...frame],
};
