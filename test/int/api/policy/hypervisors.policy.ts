import { HostSeed } from '../../../support/host-seed';
import type { PolicySuite } from './policy-case';

const ADMIN_ONLY = { other: 403, reader: 403, member: 403, manager: 403, admin: 200 };

export const hypervisorPolicies: PolicySuite = {
  resource: 'hypervisors',
  setup: async (api) => {
    const seed = new HostSeed(api);
    const { node } = await seed.compute('cell1', 'pol-h1');
    // The uptime route asks the host: answer as its nova-compute would.
    await seed.answerAsCompute('cell1', 'pol-h1', {
      get_host_uptime: () =>
        Promise.resolve(' 10:00:00 up 1 day,  2:03,  1 user,  load average: 0.00, 0.00, 0.00'),
    });
    return { id: String(node.id), uuid: node.uuid as string };
  },
  cases: [
    { name: 'list', method: 'GET', url: '/v2.1/os-hypervisors', expect: ADMIN_ONLY },
    { name: 'list detail', method: 'GET', url: '/v2.1/os-hypervisors/detail', expect: ADMIN_ONLY },
    {
      name: 'list with servers (2.53)',
      method: 'GET',
      url: '/v2.1/os-hypervisors?with_servers=true&hypervisor_hostname_pattern=pol',
      version: '2.53',
      expect: ADMIN_ONLY,
    },
    {
      name: 'show',
      method: 'GET',
      url: (fx) => `/v2.1/os-hypervisors/${fx['id']}`,
      expect: ADMIN_ONLY,
    },
    {
      name: 'show by uuid (2.53)',
      method: 'GET',
      url: (fx) => `/v2.1/os-hypervisors/${fx['uuid']}?with_servers=1`,
      version: '2.53',
      expect: ADMIN_ONLY,
    },
    {
      name: 'statistics',
      method: 'GET',
      url: '/v2.1/os-hypervisors/statistics',
      expect: ADMIN_ONLY,
    },
    {
      name: 'uptime',
      method: 'GET',
      url: (fx) => `/v2.1/os-hypervisors/${fx['id']}/uptime`,
      expect: ADMIN_ONLY,
    },
    {
      name: 'search',
      method: 'GET',
      url: '/v2.1/os-hypervisors/pol-h/search',
      expect: ADMIN_ONLY,
    },
    {
      name: 'servers',
      method: 'GET',
      url: '/v2.1/os-hypervisors/pol-h/servers',
      expect: ADMIN_ONLY,
    },
  ],
};
