import { HostSeed } from '../../../support/host-seed';
import type { PolicySuite } from './policy-case';

export const availabilityZonePolicies: PolicySuite = {
  resource: 'availability-zones',
  setup: async (api) => {
    await new HostSeed(api).compute('cell1', 'pol-az1');
    return {};
  },
  cases: [
    {
      name: 'list',
      method: 'GET',
      url: '/v2.1/os-availability-zone',
      expect: { other: 200, reader: 200, member: 200, manager: 200, admin: 200 },
    },
    {
      name: 'detail',
      method: 'GET',
      url: '/v2.1/os-availability-zone/detail',
      expect: { other: 403, reader: 403, member: 403, manager: 403, admin: 200 },
    },
  ],
};
