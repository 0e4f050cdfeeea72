import type { HostState } from '../host-state';
import { matchExtraSpec } from '../extra-specs-ops';
import { hostFilter } from './host-filter';

const SCOPE = 'aggregate_instance_extra_specs';

/** Metadata of all the host's aggregates: key -> every value (comma-separated values split). */
export function aggregateMetadataOf(host: HostState): Map<string, Set<string>> {
  const merged = new Map<string, Set<string>>();
  for (const aggregate of host.aggregates) {
    for (const [key, value] of Object.entries(aggregate.metadata)) {
      const values = merged.get(key) ?? new Set<string>();
      for (const v of value.split(',')) {
        values.add(v.trim());
      }
      merged.set(key, values);
    }
  }
  return merged;
}

/**
 * Nova's AggregateInstanceExtraSpecsFilter: each flavor extra spec scoped
 * `aggregate_instance_extra_specs:` (or not scoped) must be matched by the
 * metadata of one of the host's aggregates under the same key, with the
 * extra-spec operators. A key no aggregate of the host has fails the host.
 */
export const AggregateInstanceExtraSpecsFilter = hostFilter({
  name: 'AggregateInstanceExtraSpecsFilter',
  runOncePerRequest: true,
  prepare: (spec) => {
    // Unscoped keys and this filter's scope; other scopes belong to other filters.
    const wanted: Array<[string, string]> = [];
    for (const [rawKey, requirement] of Object.entries(spec.flavor.extra_specs)) {
      const colon = rawKey.indexOf(':');
      if (colon < 0 || rawKey.slice(0, colon) === SCOPE) {
        wanted.push([colon >= 0 ? rawKey.slice(colon + 1) : rawKey, requirement]);
      }
    }
    if (wanted.length === 0) {
      return null;
    }
    return (host) => {
      const metadata = aggregateMetadataOf(host);
      return wanted.every(([key, requirement]) => {
        const values = metadata.get(key);
        return !!values && [...values].some((v) => matchExtraSpec(v, requirement));
      });
    };
  },
});
