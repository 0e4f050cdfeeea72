import { hostFilter } from './host-filter';
import { groupMembersOnHost } from './server-group-members';

/**
 * Nova's ServerGroupAntiAffinityFilter: in an anti-affinity group, a host passes
 * while it holds fewer members than the group's max_server_per_host rule
 * (2.64; 1 without it). Instances placed earlier in the same request count.
 */
export const ServerGroupAntiAffinityFilter = hostFilter({
  name: 'ServerGroupAntiAffinityFilter',
  runOncePerRequest: false,
  prepare: (spec) => {
    const group = spec.instanceGroup;
    if (!group || group.policy !== 'anti-affinity') {
      return null;
    }
    const max = group.rules?.max_server_per_host ?? 1;
    return (host) => groupMembersOnHost(host, group) < max;
  },
});
