import { RESOURCE_CLASSES, fits, type HostState } from './host-state';
import { requestedResources, type RequestSpec } from './request-spec';

/**
 * Whether the request must see every host: it names hosts or nodes, or asks to
 * be near instances (same_host, an affinity group), which a sample could miss.
 */
export function needsEveryHost(spec: RequestSpec): boolean {
  const dest = spec.requestedDestination;
  const policy = spec.instanceGroup?.policy;
  return (
    (spec.forceHosts?.length ?? 0) > 0 ||
    (spec.forceNodes?.length ?? 0) > 0 ||
    !!dest?.host ||
    !!dest?.node ||
    (spec.schedulerHints?.same_host?.length ?? 0) > 0 ||
    policy === 'affinity' ||
    policy === 'soft-affinity' ||
    spec.isRebuild === true
  );
}

/**
 * Nova's allocation candidates, from cached host states: at most `limit` hosts
 * that are up, enabled and have room for one instance, walked from a random
 * start so that concurrent requests look at different hosts (placement's
 * randomize_allocation_candidates). The filters and weighers then run on these
 * only, which keeps a decision's cost flat as hosts grow. Requests that must
 * see every host (needsEveryHost) get all of them, unnarrowed.
 */
export function narrowCandidates(
  spec: RequestSpec,
  hosts: readonly HostState[],
  limit: number,
  random: () => number = Math.random,
): readonly HostState[] {
  if (needsEveryHost(spec) || hosts.length <= limit) {
    return hosts;
  }
  const cell = spec.requestedDestination?.cellUuid;
  const amounts = requestedResources(spec);
  const wanted = RESOURCE_CLASSES.filter((rc) => (amounts[rc] ?? 0) > 0);
  const picked: HostState[] = [];
  const start = Math.floor(random() * hosts.length);
  for (let i = 0; i < hosts.length && picked.length < limit; i++) {
    const host = hosts[(start + i) % hosts.length];
    if (
      host.serviceUp &&
      !host.serviceDisabled &&
      (!cell || host.cellUuid === cell) &&
      wanted.every((rc) => fits(host.resources[rc], amounts[rc]))
    ) {
      picked.push(host);
    }
  }
  return picked;
}
