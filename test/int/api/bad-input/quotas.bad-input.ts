import { QuotaUsageSeeder } from '../../../support/quota-usage';
import { eachValue, type BadInputCase, type BadInputSuite } from './bad-input-case';

/** bi-quota: 4 vCPUs in use; cores limited to 10 so a user's limit has a ceiling. */
const PROJECT = 'bi-quota';
const SET_URL = `/v2.1/os-quota-sets/${PROJECT}`;
const CLASS_URL = '/v2.1/os-quota-class-sets/default';

const put = { method: 'PUT' as const, url: SET_URL, status: 400, fault: 'badRequest' };
const putClass = { method: 'PUT' as const, url: CLASS_URL, status: 400, fault: 'badRequest' };
const quotaSet = (field: string) => (value: unknown) => ({ quota_set: { [field]: value } });
const classSet = (field: string) => (value: unknown) => ({ quota_class_set: { [field]: value } });

const updateValues: BadInputCase[] = [
  ...eachValue(
    put,
    'cores',
    ['abc', '1.5', 1.5, -2, '-2', 2147483648, '2147483648', null, true, [], {}, '', ' 1', '1e3'],
    quotaSet('cores'),
  ),
  ...eachValue(put, 'instances', [false, -10, 'ten'], quotaSet('instances')),
  ...eachValue(put, 'server_group_members', [0.5, 'x'], quotaSet('server_group_members')),
  ...eachValue(put, 'force', ['maybe', 2, null, []], (force) => ({
    quota_set: { cores: 10, force },
  })),
];

const updateShapes: BadInputCase[] = [
  { ...put, name: 'unknown resource', body: { quota_set: { colour: 1 } } },
  { ...put, name: 'id in the quota set', body: { quota_set: { id: PROJECT } } },
  { ...put, name: 'missing quota_set', body: { quotas: { cores: 1 } } },
  { ...put, name: 'extra root key', body: { quota_set: { cores: 10 }, extra: 1 } },
  { ...put, name: 'quota_set is a string', body: { quota_set: 'cores=1' } },
  { ...put, name: 'quota_set is null', body: { quota_set: null } },
  { ...put, name: 'quota_set is a list', body: { quota_set: [{ cores: 1 }] } },
  { ...put, name: 'quota_set is a number', body: { quota_set: 5 } },
  { ...put, name: 'body is a list', body: [{ quota_set: {} }] },
  { ...put, name: 'no body', body: undefined },
  { ...put, name: 'bad JSON', raw: '{"quota_set": {"cores": 1,}}' },
  { ...put, name: 'networks quota at 2.1', body: { quota_set: { networks: 1 } } },
  {
    ...put,
    name: 'fixed_ips at 2.36',
    version: '2.36',
    body: { quota_set: { fixed_ips: 1 } },
  },
  {
    ...put,
    name: 'security_group_rules at 2.36',
    version: '2.36',
    body: { quota_set: { security_group_rules: 1 } },
  },
  {
    ...put,
    name: 'injected_files at 2.57',
    version: '2.57',
    body: { quota_set: { injected_files: 1 } },
  },
  {
    ...put,
    name: 'injected_file_path_bytes at 2.93',
    version: '2.93',
    body: { quota_set: { injected_file_path_bytes: 1 } },
  },
];

const updateRules: BadInputCase[] = [
  { ...put, name: 'cores below usage', body: { quota_set: { cores: 3 } } },
  { ...put, name: 'instances below usage', body: { quota_set: { instances: 0 } } },
  {
    ...put,
    name: 'valid ram with cores below usage',
    body: { quota_set: { ram: 4096, cores: 1 } },
  },
  {
    ...put,
    name: 'user cores above the project',
    url: `${SET_URL}?user_id=bi-user`,
    body: { quota_set: { cores: 11 } },
  },
  {
    ...put,
    name: 'user cores unlimited in a limited project',
    url: `${SET_URL}?user_id=bi-user`,
    body: { quota_set: { cores: -1 } },
  },
  {
    ...put,
    name: 'user instances below the user usage',
    url: `${SET_URL}?user_id=bi-user`,
    body: { quota_set: { instances: 1 } },
  },
  {
    ...put,
    name: 'unknown query at 2.75',
    url: `${SET_URL}?colour=red`,
    version: '2.75',
    body: { quota_set: { cores: 10 } },
  },
  {
    method: 'PUT',
    url: SET_URL,
    name: 'update as a member',
    as: 'member',
    body: { quota_set: { cores: 10 } },
    status: 403,
    fault: 'forbidden',
  },
  {
    method: 'PUT',
    url: '/v2.1/os-quota-sets/demo',
    name: 'update of the own project as a reader',
    as: 'reader',
    body: { quota_set: { cores: 10 } },
    status: 403,
    fault: 'forbidden',
  },
];

const forbidden = { status: 403, fault: 'forbidden' };
const badRequest = { status: 400, fault: 'badRequest' };

const reads: BadInputCase[] = [
  { name: 'delete as a member', method: 'DELETE', url: SET_URL, as: 'member', ...forbidden },
  {
    name: 'delete a user as the user',
    method: 'DELETE',
    url: '/v2.1/os-quota-sets/demo?user_id=demo',
    as: 'member',
    ...forbidden,
  },
  {
    name: 'delete with an unknown query at 2.75',
    method: 'DELETE',
    url: `${SET_URL}?colour=red`,
    version: '2.75',
    ...badRequest,
  },
  {
    name: "show another project's quotas",
    method: 'GET',
    url: '/v2.1/os-quota-sets/other',
    as: 'member',
    ...forbidden,
  },
  {
    name: "detail of another project's quotas",
    method: 'GET',
    url: '/v2.1/os-quota-sets/demo/detail',
    as: 'other',
    ...forbidden,
  },
  {
    name: 'show with an unknown query at 2.75',
    method: 'GET',
    url: `${SET_URL}?colour=red`,
    version: '2.75',
    ...badRequest,
  },
  {
    name: 'detail with an unknown query at 2.93',
    method: 'GET',
    url: `${SET_URL}/detail?user_id=u&limit=1`,
    version: '2.93',
    ...badRequest,
  },
  {
    name: 'show with a mismatching project in the URL',
    method: 'GET',
    url: '/v2.1/other/os-quota-sets/demo',
    as: 'member',
    ...badRequest,
  },
  {
    name: 'POST to a quota set',
    method: 'POST',
    url: SET_URL,
    body: { quota_set: { cores: 10 } },
    status: 405,
    fault: 'badMethod',
  },
  {
    name: 'PATCH a quota set',
    method: 'PATCH',
    url: SET_URL,
    body: { quota_set: { cores: 10 } },
    status: 405,
    fault: 'badMethod',
  },
  {
    name: 'list quota sets',
    method: 'GET',
    url: '/v2.1/os-quota-sets',
    status: 404,
    fault: 'itemNotFound',
  },
  {
    name: 'PUT defaults',
    method: 'PUT',
    url: `${SET_URL}/defaults`,
    body: { quota_set: { cores: 10 } },
    status: 405,
    fault: 'badMethod',
  },
];

const limits: BadInputCase[] = [
  {
    name: 'limits of another project as a member',
    method: 'GET',
    url: '/v2.1/limits?tenant_id=other',
    as: 'member',
    ...forbidden,
  },
  {
    name: 'limits with an unknown query at 2.75',
    method: 'GET',
    url: '/v2.1/limits?colour=red',
    version: '2.75',
    ...badRequest,
  },
  {
    name: 'limits with a malformed microversion',
    method: 'GET',
    url: '/v2.1/limits',
    headers: { 'openstack-api-version': 'compute 2.x' },
    ...badRequest,
  },
  {
    name: 'limits at an unsupported microversion',
    method: 'GET',
    url: '/v2.1/limits',
    version: '2.94',
    status: 406,
    fault: 'computeFault',
  },
  {
    name: 'POST limits',
    method: 'POST',
    url: '/v2.1/limits',
    body: {},
    status: 405,
    fault: 'badMethod',
  },
];

const classSets: BadInputCase[] = [
  ...eachValue(putClass, 'class cores', ['x', -2, 1.5, null, false], classSet('cores')),
  { ...putClass, name: 'force in a class set', body: { quota_class_set: { force: true } } },
  {
    ...putClass,
    name: 'class floating_ips at 2.50',
    version: '2.50',
    body: { quota_class_set: { floating_ips: 1 } },
  },
  {
    ...putClass,
    name: 'class networks at 2.50',
    version: '2.50',
    body: { quota_class_set: { networks: 1 } },
  },
  {
    ...putClass,
    name: 'class injected_files at 2.57',
    version: '2.57',
    body: { quota_class_set: { injected_files: 1 } },
  },
  { ...putClass, name: 'class set missing', body: {} },
  { ...putClass, name: 'quota_set instead of quota_class_set', body: { quota_set: { cores: 1 } } },
  { ...putClass, name: 'class set is a list', body: { quota_class_set: [] } },
  {
    method: 'PUT',
    url: CLASS_URL,
    name: 'class update as a member',
    as: 'member',
    body: { quota_class_set: { cores: 1 } },
    ...forbidden,
  },
  {
    method: 'GET',
    url: CLASS_URL,
    name: 'class show as a reader',
    as: 'reader',
    ...forbidden,
  },
  {
    method: 'DELETE',
    url: CLASS_URL,
    name: 'DELETE a quota class',
    status: 405,
    fault: 'badMethod',
  },
];

export const quotasBadInput: BadInputSuite = {
  resource: 'quotas',
  setup: async (api) => {
    const seed = await QuotaUsageSeeder.for(api);
    await seed.instance(PROJECT, 'bi-user', { vcpus: 2, ramMb: 1024 });
    await seed.instance(PROJECT, 'bi-user', { vcpus: 2, ramMb: 1024 });
    await api.put(SET_URL, { quota_set: { cores: 10 } });
  },
  cases: [...updateValues, ...updateShapes, ...updateRules, ...reads, ...limits, ...classSets],
};
