import { Invalid } from '@nova/common';
import { AggregateInstanceExtraSpecsFilter } from './aggregate-instance-extra-specs.filter';
import { AvailabilityZoneFilter } from './availability-zone.filter';
import { ComputeCapabilitiesFilter } from './compute-capabilities.filter';
import { ComputeFilter } from './compute.filter';
import { DifferentHostFilter } from './different-host.filter';
import type { HostFilter } from './host-filter';
import { ImagePropertiesFilter } from './image-properties.filter';
import { ResourceFitFilter } from './resource-fit.filter';
import { SameHostFilter } from './same-host.filter';
import { ServerGroupAffinityFilter } from './server-group-affinity.filter';
import { ServerGroupAntiAffinityFilter } from './server-group-anti-affinity.filter';

export * from './aggregate-instance-extra-specs.filter';
export * from './availability-zone.filter';
export * from './compute-capabilities.filter';
export * from './compute.filter';
export * from './different-host.filter';
export * from './host-capabilities';
export * from './host-filter';
export * from './image-properties.filter';
export * from './resource-fit.filter';
export * from './same-host.filter';
export * from './server-group-affinity.filter';
export * from './server-group-anti-affinity.filter';
export * from './server-group-members';

/** Every filter [filter_scheduler] enabled_filters may name. */
export const ALL_FILTERS: ReadonlyMap<string, HostFilter> = new Map(
  [
    ComputeFilter,
    ResourceFitFilter,
    AvailabilityZoneFilter,
    ComputeCapabilitiesFilter,
    ImagePropertiesFilter,
    AggregateInstanceExtraSpecsFilter,
    ServerGroupAntiAffinityFilter,
    ServerGroupAffinityFilter,
    SameHostFilter,
    DifferentHostFilter,
  ].map((f) => [f.name, f]),
);

/** The filters named in config, in order; an unknown name is a configuration error. */
export function buildFilters(names: readonly string[]): HostFilter[] {
  return names.map((name) => {
    const filter = ALL_FILTERS.get(name);
    if (!filter) {
      throw new Invalid(
        `Unknown scheduler filter '${name}' in [filter_scheduler] enabled_filters ` +
          `(known: ${[...ALL_FILTERS.keys()].join(', ')})`,
        { name },
      );
    }
    return filter;
  });
}
