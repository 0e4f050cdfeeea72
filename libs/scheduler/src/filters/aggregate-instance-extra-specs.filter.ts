import type { HostState } from '../host-state';
import { matchExtraSpec } from '../extra-specs-ops';
import type { HostFilter } from './host-filter';

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
export const AggregateInstanceExtraSpecsFilter: HostFilter = {
  name: 'AggregateInstanceExtraSpecsFilter',
  runOncePerRequest: true,
  hostPasses: (host, spec) => {
    const specs = Object.entries(spec.flavor.extra_specs);
    if (specs.length === 0) {
      return true;
    }
    const metadata = aggregateMetadataOf(host);
    for (const [rawKey, requirement] of specs) {
      const colon = rawKey.indexOf(':');
      if (colon >= 0 && rawKey.slice(0, colon) !== SCOPE) {
        continue;
      }
      const key = colon >= 0 ? rawKey.slice(colon + 1) : rawKey;
      const values = metadata.get(key);
      if (!values || ![...values].some((v) => matchExtraSpec(v, requirement))) {
        return false;
      }
    }
    return true;
  },
};
