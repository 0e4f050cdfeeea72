import type { PolicySuite } from './policy-case';

const ANY = { other: 200, reader: 200, member: 200, manager: 200, admin: 200 };
const ADMIN_ONLY = (ok: number) => ({
  other: 403,
  reader: 403,
  member: 403,
  manager: 403,
  admin: ok,
});

export const flavorPolicies: PolicySuite = {
  resource: 'flavors',
  setup: async (api) => {
    for (const [id, pub] of [
      ['pol-pub', true],
      ['pol-priv', false],
      ['pol-del', true],
    ] as const) {
      await api.post('/v2.1/flavors', {
        flavor: { id, name: id, ram: 64, vcpus: 1, disk: 0, 'os-flavor-access:is_public': pub },
      });
    }
    await api.post('/v2.1/flavors/pol-pub/os-extra_specs', {
      extra_specs: { 'hw:cpu_policy': 'shared' },
    });
    return {};
  },
  cases: [
    { name: 'list', method: 'GET', url: '/v2.1/flavors', expect: ANY },
    { name: 'list detail', method: 'GET', url: '/v2.1/flavors/detail', expect: ANY },
    { name: 'show', method: 'GET', url: '/v2.1/flavors/pol-pub', expect: ANY },
    {
      name: 'show private without access',
      method: 'GET',
      url: '/v2.1/flavors/pol-priv',
      expect: { other: 404, reader: 404, member: 404, manager: 404, admin: 200 },
    },
    {
      name: 'create',
      method: 'POST',
      url: '/v2.1/flavors',
      body: (_: unknown, p: string) => ({
        flavor: { name: `pol-new-${p}`, ram: 64, vcpus: 1, disk: 0 },
      }),
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'update',
      method: 'PUT',
      url: '/v2.1/flavors/pol-pub',
      version: '2.55',
      body: { flavor: { description: 'd' } },
      expect: ADMIN_ONLY(200),
    },
    { name: 'delete', method: 'DELETE', url: '/v2.1/flavors/pol-del', expect: ADMIN_ONLY(202) },
    {
      name: 'access list',
      method: 'GET',
      url: '/v2.1/flavors/pol-priv/os-flavor-access',
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'add access',
      method: 'POST',
      url: '/v2.1/flavors/pol-priv/action',
      body: { addTenantAccess: { tenant: 'p9' } },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'remove access',
      method: 'POST',
      url: '/v2.1/flavors/pol-priv/action',
      body: { removeTenantAccess: { tenant: 'p9' } },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'extra specs list',
      method: 'GET',
      url: '/v2.1/flavors/pol-pub/os-extra_specs',
      expect: ANY,
    },
    {
      name: 'extra spec show',
      method: 'GET',
      url: '/v2.1/flavors/pol-pub/os-extra_specs/hw:cpu_policy',
      expect: ANY,
    },
    {
      name: 'extra specs create',
      method: 'POST',
      url: '/v2.1/flavors/pol-pub/os-extra_specs',
      body: { extra_specs: { a: 'b' } },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'extra spec update',
      method: 'PUT',
      url: '/v2.1/flavors/pol-pub/os-extra_specs/a',
      body: { a: 'c' },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'extra spec delete',
      method: 'DELETE',
      url: '/v2.1/flavors/pol-pub/os-extra_specs/a',
      expect: ADMIN_ONLY(200),
    },
  ],
};
