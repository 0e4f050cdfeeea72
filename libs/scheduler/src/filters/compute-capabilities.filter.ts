import { capabilityText, matchExtraSpec } from '../extra-specs-ops';
import { hostFilter } from './host-filter';
import { hostCapability } from './host-capabilities';

const SCOPE = 'capabilities';

interface CapabilitySpec {
  readonly path: readonly string[];
  readonly requirement: string;
}

// The filter runs per host and per instance: parse a flavor's extra specs once.
const parsed = new WeakMap<object, CapabilitySpec[]>();

/** The extra specs this filter checks: capability path and requirement. */
function capabilitySpecs(extraSpecs: Readonly<Record<string, string>>): CapabilitySpec[] {
  let specs = parsed.get(extraSpecs);
  if (!specs) {
    specs = [];
    for (const [key, requirement] of Object.entries(extraSpecs)) {
      const parts = key.split(':');
      if (parts.length === 1 || parts[0] === SCOPE) {
        specs.push({ path: parts.length > 1 ? parts.slice(1) : parts, requirement });
      }
    }
    parsed.set(extraSpecs, specs);
  }
  return specs;
}

/**
 * Nova's ComputeCapabilitiesFilter: each flavor extra spec scoped
 * `capabilities:` (or not scoped at all) names a host capability, further
 * colons walking into it (`capabilities:cpu_info:arch`), and its value is a
 * requirement in the extra-spec operator syntax. Specs of other scopes
 * (`hw:`, `aggregate_instance_extra_specs:`, ...) are not this filter's.
 * A missing capability fails the host.
 */
export const ComputeCapabilitiesFilter = hostFilter({
  name: 'ComputeCapabilitiesFilter',
  runOncePerRequest: false, // free_ram_mb, num_instances and the like change as instances land
  prepare: (spec) => {
    const specs = capabilitySpecs(spec.flavor.extra_specs);
    if (specs.length === 0) {
      return null;
    }
    return (host) =>
      specs.every(({ path, requirement }) => {
        const text = capabilityText(hostCapability(host, path));
        return text !== null && matchExtraSpec(text, requirement);
      });
  },
});
