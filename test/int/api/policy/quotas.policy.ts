import type { PolicySuite } from './policy-case';

const ANY = { other: 200, reader: 200, member: 200, manager: 200, admin: 200 };
const ADMIN_ONLY = (ok: number) => ({
  other: 403,
  reader: 403,
  member: 403,
  manager: 403,
  admin: ok,
});
/** Readers of the project in the URL, and admins: another project's quotas are 403. */
const DEMO_READERS = { other: 403, reader: 200, member: 200, manager: 200, admin: 200 };
const OTHER_READERS = { other: 200, reader: 403, member: 403, manager: 403, admin: 200 };

export const quotaPolicies: PolicySuite = {
  resource: 'quotas',
  setup: async (api) => {
    await api.put('/v2.1/os-quota-sets/demo', { quota_set: { instances: 20 } });
    await api.put('/v2.1/os-quota-sets/demo?user_id=reader', { quota_set: { instances: 5 } });
    return {};
  },
  cases: [
    { name: 'limits', method: 'GET', url: '/v2.1/limits', expect: ANY },
    { name: 'limits at 2.93', method: 'GET', url: '/v2.1/limits', version: '2.93', expect: ANY },
    {
      name: 'limits of another project (tenant_id)',
      method: 'GET',
      url: '/v2.1/limits?tenant_id=other',
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'limits naming the own project (tenant_id)',
      method: 'GET',
      url: '/v2.1/limits?tenant_id=demo',
      expect: ADMIN_ONLY(200),
    },
    { name: 'quota show', method: 'GET', url: '/v2.1/os-quota-sets/demo', expect: DEMO_READERS },
    {
      name: 'quota show of a user',
      method: 'GET',
      url: '/v2.1/os-quota-sets/demo?user_id=reader',
      expect: DEMO_READERS,
    },
    {
      name: 'quota show of another project',
      method: 'GET',
      url: '/v2.1/os-quota-sets/other',
      expect: OTHER_READERS,
    },
    {
      name: 'quota show at 2.57',
      method: 'GET',
      url: '/v2.1/os-quota-sets/demo',
      version: '2.57',
      expect: DEMO_READERS,
    },
    {
      name: 'quota detail',
      method: 'GET',
      url: '/v2.1/os-quota-sets/demo/detail',
      expect: DEMO_READERS,
    },
    {
      name: 'quota detail of another project',
      method: 'GET',
      url: '/v2.1/os-quota-sets/other/detail',
      expect: OTHER_READERS,
    },
    {
      name: 'quota defaults',
      method: 'GET',
      url: '/v2.1/os-quota-sets/demo/defaults',
      expect: ANY,
    },
    {
      name: 'quota defaults of another project',
      method: 'GET',
      url: '/v2.1/os-quota-sets/other/defaults',
      expect: ANY,
    },
    {
      name: 'quota update',
      method: 'PUT',
      url: '/v2.1/os-quota-sets/demo',
      body: { quota_set: { metadata_items: 100 } },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'quota update of a user',
      method: 'PUT',
      url: '/v2.1/os-quota-sets/demo?user_id=reader',
      body: { quota_set: { instances: 4 } },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'quota update of the own project',
      method: 'PUT',
      url: '/v2.1/os-quota-sets/other',
      body: { quota_set: { cores: 10 } },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'quota delete of a user',
      method: 'DELETE',
      url: '/v2.1/os-quota-sets/demo?user_id=reader',
      expect: ADMIN_ONLY(202),
    },
    {
      name: 'quota delete',
      method: 'DELETE',
      url: '/v2.1/os-quota-sets/demo',
      expect: ADMIN_ONLY(202),
    },
    {
      name: 'quota class show',
      method: 'GET',
      url: '/v2.1/os-quota-class-sets/default',
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'quota class show at 2.50',
      method: 'GET',
      url: '/v2.1/os-quota-class-sets/gold',
      version: '2.50',
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'quota class update',
      method: 'PUT',
      url: '/v2.1/os-quota-class-sets/gold',
      body: { quota_class_set: { cores: 40 } },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'quota show with the project in the URL',
      method: 'GET',
      url: (_fx, persona) =>
        `/v2.1/${persona === 'admin' ? 'admin' : persona === 'other' ? 'other' : 'demo'}/os-quota-sets/demo`,
      expect: DEMO_READERS,
    },
  ],
};
