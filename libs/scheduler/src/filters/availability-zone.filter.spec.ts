import { makeHost, makeSpec } from '../testing/fixtures';
import { AvailabilityZoneFilter } from './availability-zone.filter';

describe('AvailabilityZoneFilter', () => {
  const host = makeHost('a', { availabilityZone: 'az1' });

  it('passes every host when no zone is requested', () => {
    expect(AvailabilityZoneFilter.hostPasses(host, makeSpec())).toBe(true);
    expect(AvailabilityZoneFilter.hostPasses(host, makeSpec({ availabilityZone: null }))).toBe(
      true,
    );
  });

  it('passes hosts in the requested zone only', () => {
    expect(AvailabilityZoneFilter.hostPasses(host, makeSpec({ availabilityZone: 'az1' }))).toBe(
      true,
    );
    expect(AvailabilityZoneFilter.hostPasses(host, makeSpec({ availabilityZone: 'az2' }))).toBe(
      false,
    );
  });

  it('puts a host whose aggregates disagree in each of their zones', () => {
    const both = makeHost('b', { availabilityZone: 'az1,az2' });
    expect(AvailabilityZoneFilter.hostPasses(both, makeSpec({ availabilityZone: 'az2' }))).toBe(
      true,
    );
  });

  it('matches any zone of a comma-separated request', () => {
    expect(
      AvailabilityZoneFilter.hostPasses(host, makeSpec({ availabilityZone: 'az3, az1' })),
    ).toBe(true);
  });

  it('puts unzoned hosts in the default zone the caller gave them', () => {
    const plain = makeHost('c', { availabilityZone: 'nova' });
    expect(AvailabilityZoneFilter.hostPasses(plain, makeSpec({ availabilityZone: 'nova' }))).toBe(
      true,
    );
  });
});
