import { Invalid } from '@nova/common';
import { ResourceFitFilter, buildFilters, type HostFilter } from './filters';
import { type HostState, consumeFromRequest } from './host-state';
import { type FilterCount, NoValidHost } from './no-valid-host';
import { type InstanceGroupSpec, type RequestSpec, requestedResources } from './request-spec';
import type { SchedulerConfig } from './scheduler-config';
import { bestIndexes, buildWeighers, hostWeights } from './weighers';

/** Where one instance should go, and where else to try. */
export interface Selection {
  readonly instanceUuid: string;
  readonly selected: HostState;
  /** Hosts in the selected host's cell that also passed, best first; at most max_attempts - 1. */
  readonly alternates: readonly HostState[];
  /** `selected` then `alternates`: the order to try claims (and reschedules) in. */
  readonly candidates: readonly HostState[];
}

export interface SelectOptions {
  /** Picks among the best host_subset_size hosts; Math.random unless a test pins it. */
  readonly random?: () => number;
}

export const NOT_ENOUGH_HOSTS = 'There are not enough hosts available.';

/**
 * Nova's filter scheduler, without the claims: for each instance of the
 * request, filter the hosts, weigh them, pick at random among the best
 * `host_subset_size`, and list alternates from the same cell. The chosen host's
 * resources (and the server group's hosts and members) are consumed in memory
 * before the next instance, so a 100-instance request spreads and honours
 * anti-affinity among its own instances; the HostState objects passed in are
 * changed accordingly.
 *
 * The caller claims each selection in placement, in `candidates` order, and
 * moves on to the next candidate when a claim fails. Throws NoValidHost when
 * any instance has no host (nothing has been claimed by then).
 *
 * As in Nova, forced hosts/nodes skip the filters; the resource fit (which is
 * placement's job in Nova) always applies, whatever enabled_filters says.
 */
export function selectDestinations(
  spec: RequestSpec,
  hosts: readonly HostState[],
  config: SchedulerConfig,
  options: SelectOptions = {},
): Selection[] {
  if (spec.numInstances !== spec.instanceUuids.length) {
    throw new Invalid(
      `num_instances ${spec.numInstances} does not match ${spec.instanceUuids.length} instance uuids`,
    );
  }
  const random = options.random ?? Math.random;
  const forced = (spec.forceHosts?.length ?? 0) > 0 || (spec.forceNodes?.length ?? 0) > 0;
  const rebuild = spec.isRebuild === true;
  const configured = buildFilters(config.enabledFilters).filter(
    (f) => f !== ResourceFitFilter && (!rebuild || f.runOnRebuild === true),
  );
  const onceFilters = forced ? [] : configured.filter((f) => f.runOncePerRequest);
  const eachFilters = [
    ...(rebuild ? [] : [ResourceFitFilter]),
    ...(forced ? [] : configured.filter((f) => !f.runOncePerRequest)),
  ];
  const weighers = buildWeighers(config.weights);
  const amounts = requestedResources(spec);
  const alternateCount = Math.max(0, config.maxAttempts - 1);

  let group = spec.instanceGroup ?? null;
  const first = runFilters(onceFilters, candidateHosts(spec, hosts), {
    ...spec,
    instanceGroup: group,
  });
  if (first.hosts.length === 0) {
    throw new NoValidHost(NOT_ENOUGH_HOSTS, first.counts, 0);
  }
  const selections: Selection[] = [];
  for (const [index, instanceUuid] of spec.instanceUuids.entries()) {
    const working: RequestSpec = { ...spec, instanceGroup: group };
    const passed = runFilters(eachFilters, first.hosts, working);
    if (passed.hosts.length === 0) {
      throw new NoValidHost(NOT_ENOUGH_HOSTS, [...first.counts, ...passed.counts], index);
    }
    // Only the best few are ever used: the pick among the best host_subset_size,
    // then the best of the rest in its cell as alternates.
    const hosts = passed.hosts;
    const weights = hostWeights(weighers, hosts, working);
    const subset = Math.min(Math.max(1, config.hostSubsetSize), hosts.length);
    const pick = Math.min(subset - 1, Math.floor(random() * subset));
    const selected = hosts[bestIndexes(weights, pick + 1)[pick]];
    const alternates = bestIndexes(
      weights,
      alternateCount,
      (i) => hosts[i] !== selected && hosts[i].cellUuid === selected.cellUuid,
    ).map((i) => hosts[i]);
    selections.push({ instanceUuid, selected, alternates, candidates: [selected, ...alternates] });
    consumeFromRequest(selected, amounts, instanceUuid);
    group = group && withPlacedMember(group, instanceUuid, selected.host);
  }
  return selections;
}

/** The hosts a request may use at all: not ignored, and among the forced or requested ones. */
function candidateHosts(spec: RequestSpec, hosts: readonly HostState[]): HostState[] {
  const dest = spec.requestedDestination;
  if (
    !spec.ignoreHosts?.length &&
    !spec.forceHosts?.length &&
    !spec.forceNodes?.length &&
    !dest?.host &&
    !dest?.node &&
    !dest?.cellUuid
  ) {
    return [...hosts]; // the usual request: no host ruled in or out
  }
  const ignored = new Set(spec.ignoreHosts ?? []);
  const lower = (names: readonly string[] | undefined) =>
    new Set((names ?? []).map((n) => n.toLowerCase()));
  const forcedHosts = lower(spec.forceHosts);
  const forcedNodes = lower(spec.forceNodes);
  return hosts.filter(
    (h) =>
      !ignored.has(h.host) &&
      (forcedHosts.size === 0 || forcedHosts.has(h.host.toLowerCase())) &&
      (forcedNodes.size === 0 || forcedNodes.has(h.nodename.toLowerCase())) &&
      (!dest?.host || dest.host === h.host) &&
      (!dest?.node || dest.node === h.nodename) &&
      (!dest?.cellUuid || dest.cellUuid === h.cellUuid),
  );
}

function runFilters(
  filters: readonly HostFilter[],
  hosts: readonly HostState[],
  spec: RequestSpec,
): { hosts: HostState[]; counts: FilterCount[] } {
  let remaining = [...hosts];
  const counts: FilterCount[] = [];
  for (const filter of filters) {
    const check = filter.prepare(spec);
    if (check) {
      remaining = remaining.filter(check);
    }
    counts.push({ filter: filter.name, hosts: remaining.length });
    if (remaining.length === 0) {
      break;
    }
  }
  return { hosts: remaining, counts };
}

/** The group as the next instance of the request sees it: this one placed on `host`. */
function withPlacedMember(
  group: InstanceGroupSpec,
  instanceUuid: string,
  host: string,
): InstanceGroupSpec {
  return {
    ...group,
    members: group.members.includes(instanceUuid)
      ? group.members
      : [...group.members, instanceUuid],
    hosts: group.hosts.includes(host) ? group.hosts : [...group.hosts, host],
  };
}
