import { hostFilter } from './host-filter';
import { groupHasHost } from './server-group-members';

/**
 * Nova's ServerGroupAffinityFilter: in an affinity group whose members already
 * run somewhere, only those hosts pass. The first instance of a new group may
 * go anywhere; the ones after it follow (selectDestinations adds each chosen
 * host to the group).
 */
export const ServerGroupAffinityFilter = hostFilter({
  name: 'ServerGroupAffinityFilter',
  runOncePerRequest: false,
  prepare: (spec) => {
    const group = spec.instanceGroup;
    if (!group || group.policy !== 'affinity' || group.hosts.length === 0) {
      return null;
    }
    return (host) => groupHasHost(group, host.host);
  },
});
