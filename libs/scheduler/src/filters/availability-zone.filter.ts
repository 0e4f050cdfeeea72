import type { HostFilter } from './host-filter';

const zones = (text: string): string[] =>
  text
    .split(',')
    .map((z) => z.trim())
    .filter((z) => z !== '');

/**
 * Nova's AvailabilityZoneFilter: with a requested zone, the host must be in it.
 * A comma-separated request matches any of its zones; a host whose aggregates
 * put it in several zones is in each of them.
 */
export const AvailabilityZoneFilter: HostFilter = {
  name: 'AvailabilityZoneFilter',
  runOncePerRequest: true,
  hostPasses: (host, spec) => {
    if (!spec.availabilityZone) {
      return true;
    }
    const hostZones = new Set(zones(host.availabilityZone));
    return zones(spec.availabilityZone).some((z) => hostZones.has(z));
  },
};
