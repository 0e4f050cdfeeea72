import { hostFilter } from './host-filter';

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
export const AvailabilityZoneFilter = hostFilter({
  name: 'AvailabilityZoneFilter',
  runOncePerRequest: true,
  prepare: (spec) => {
    if (!spec.availabilityZone) {
      return null;
    }
    const wanted = zones(spec.availabilityZone);
    return (host) => {
      const hostZones = new Set(zones(host.availabilityZone));
      return wanted.some((z) => hostZones.has(z));
    };
  },
});
