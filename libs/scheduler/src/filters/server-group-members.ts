import type { HostState } from '../host-state';
import type { InstanceGroupSpec } from '../request-spec';

interface GroupSets {
  readonly members: ReadonlySet<string>;
  readonly hosts: ReadonlySet<string>;
}

// Group specs are immutable (selectDestinations makes a new one per placed
// instance), so their sets are built once per spec, not once per host.
const sets = new WeakMap<InstanceGroupSpec, GroupSets>();

function groupSets(group: InstanceGroupSpec): GroupSets {
  let cached = sets.get(group);
  if (!cached) {
    cached = { members: new Set(group.members), hosts: new Set(group.hosts) };
    sets.set(group, cached);
  }
  return cached;
}

/** Whether the group lists the host among its members' hosts. */
export function groupHasHost(group: InstanceGroupSpec, host: string): boolean {
  return groupSets(group).hosts.has(host);
}

/**
 * How many members of the group the host holds: members among its instances,
 * and at least one when the group lists the host among its members' hosts
 * (callers may know the hosts without every host's instance list).
 */
export function groupMembersOnHost(host: HostState, group: InstanceGroupSpec): number {
  const { members, hosts } = groupSets(group);
  let count = 0;
  if (host.instances.size <= members.size) {
    host.instances.forEach((uuid) => (count += members.has(uuid) ? 1 : 0));
  } else {
    members.forEach((uuid) => (count += host.instances.has(uuid) ? 1 : 0));
  }
  return count === 0 && hosts.has(host.host) ? 1 : count;
}
