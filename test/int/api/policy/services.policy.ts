import { HostSeed } from '../../../support/host-seed';
import type { PolicySuite } from './policy-case';

const ADMIN_ONLY = (ok: number) => ({
  other: 403,
  reader: 403,
  member: 403,
  manager: 403,
  admin: ok,
});
const compute = { host: 'pol-c1', binary: 'nova-compute' };

export const servicePolicies: PolicySuite = {
  resource: 'services',
  setup: async (api) => {
    const seed = new HostSeed(api);
    await seed.service('cell1', { host: 'pol-ctl', binary: 'nova-conductor' });
    const c1 = await seed.compute('cell1', 'pol-c1');
    const del = await seed.compute('cell1', 'pol-del');
    const del2 = await seed.compute('cell1', 'pol-del2');
    return {
      c1: c1.service.uuid as string,
      delId: String(del.service.id),
      delUuid: del2.service.uuid as string,
    };
  },
  cases: [
    { name: 'list', method: 'GET', url: '/v2.1/os-services', expect: ADMIN_ONLY(200) },
    {
      name: 'list (2.69)',
      method: 'GET',
      url: '/v2.1/os-services',
      version: '2.69',
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'disable',
      method: 'PUT',
      url: '/v2.1/os-services/disable',
      body: compute,
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'disable with reason',
      method: 'PUT',
      url: '/v2.1/os-services/disable-log-reason',
      body: { ...compute, disabled_reason: 'policy test' },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'enable',
      method: 'PUT',
      url: '/v2.1/os-services/enable',
      body: compute,
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'force down (2.11)',
      method: 'PUT',
      url: '/v2.1/os-services/force-down',
      version: '2.11',
      body: { ...compute, forced_down: false },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'update by uuid (2.53)',
      method: 'PUT',
      url: (fx) => `/v2.1/os-services/${fx['c1']}`,
      version: '2.53',
      body: { status: 'enabled', forced_down: false },
      expect: ADMIN_ONLY(200),
    },
    {
      name: 'delete by id',
      method: 'DELETE',
      url: (fx) => `/v2.1/os-services/${fx['delId']}`,
      expect: ADMIN_ONLY(204),
    },
    {
      name: 'delete by uuid (2.53)',
      method: 'DELETE',
      url: (fx) => `/v2.1/os-services/${fx['delUuid']}`,
      version: '2.53',
      expect: ADMIN_ONLY(204),
    },
  ],
};
