import { mapHosts } from '../aggregate-hosts';
import type { PolicySuite } from './policy-case';

const ADMIN_ONLY = (ok: number) => ({
  other: 403,
  reader: 403,
  member: 403,
  manager: 403,
  admin: ok,
});
const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';

/** Every /os-aggregates route is admin-only (os_compute_api:os-aggregates:*, compute:aggregates:images). */
export const aggregatePolicies: PolicySuite = {
  resource: 'aggregates',
  setup: async (api) => {
    await mapHosts(api, 'cell1', ['pol-h1']);
    const fx: Record<string, string> = {};
    for (const name of ['pol-agg', 'pol-del']) {
      const res = await api.post('/v2.1/os-aggregates', { aggregate: { name } });
      fx[name] = String(res.body.aggregate.id);
    }
    return fx;
  },
  cases: [
    { name: 'list', method: 'GET', url: '/v2.1/os-aggregates', expect: ADMIN_ONLY(200) },
    {
      name: 'create',
      method: 'POST',
      url: '/v2.1/os-aggregates',
      body: (_: unknown, p: string) => ({ aggregate: { name: `pol-new-${p}` } }),
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'show',
      method: 'GET',
      url: (fx) => `/v2.1/os-aggregates/${fx['pol-agg']}`,
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'update',
      method: 'PUT',
      url: (fx) => `/v2.1/os-aggregates/${fx['pol-agg']}`,
      body: { aggregate: { availability_zone: 'pol-az' } },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'add_host',
      method: 'POST',
      url: (fx) => `/v2.1/os-aggregates/${fx['pol-agg']}/action`,
      body: { add_host: { host: 'pol-h1' } },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'remove_host',
      method: 'POST',
      url: (fx) => `/v2.1/os-aggregates/${fx['pol-agg']}/action`,
      body: { remove_host: { host: 'pol-h1' } },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'set_metadata',
      method: 'POST',
      url: (fx) => `/v2.1/os-aggregates/${fx['pol-agg']}/action`,
      body: { set_metadata: { metadata: { ssd: 'true' } } },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'images (2.81)',
      method: 'POST',
      url: (fx) => `/v2.1/os-aggregates/${fx['pol-agg']}/images`,
      version: '2.81',
      body: { cache: [{ id: IMAGE }] },
      expect: ADMIN_ONLY(202),
    },
    {
      name: 'images before 2.81 (no such route)',
      method: 'POST',
      url: (fx) => `/v2.1/os-aggregates/${fx['pol-agg']}/images`,
      version: '2.80',
      body: { cache: [{ id: IMAGE }] },
      expect: { other: 404, reader: 404, member: 404, manager: 404, admin: 404 },
    },
    {
      name: 'delete',
      method: 'DELETE',
      url: (fx) => `/v2.1/os-aggregates/${fx['pol-del']}`,
      expect: ADMIN_ONLY(200),
    },
  ],
};
