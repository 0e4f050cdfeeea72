import { groupMembersOnHost } from '../filters/server-group-members';
import type { HostWeigher } from './host-weigher';

/** Nova's ServerGroupSoftAffinityWeigher: hosts with more members of a soft-affinity group weigh more. */
export const ServerGroupSoftAffinityWeigher: HostWeigher = {
  name: 'ServerGroupSoftAffinityWeigher',
  multiplierKey: 'soft_affinity_weight_multiplier',
  weigh: (host, spec) => {
    const group = spec.instanceGroup;
    return group?.policy === 'soft-affinity' ? groupMembersOnHost(host, group) : 0;
  },
};

/** Nova's ServerGroupSoftAntiAffinityWeigher: hosts with fewer members of a soft-anti-affinity group weigh more. */
export const ServerGroupSoftAntiAffinityWeigher: HostWeigher = {
  name: 'ServerGroupSoftAntiAffinityWeigher',
  multiplierKey: 'soft_anti_affinity_weight_multiplier',
  weigh: (host, spec) => {
    const group = spec.instanceGroup;
    return group?.policy === 'soft-anti-affinity' ? -groupMembersOnHost(host, group) : 0;
  },
};
