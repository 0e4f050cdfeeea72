import { FilterSchedulerOptions } from '@nova/config';
import { makeSpec } from '../testing/fixtures';
import { ALL_FILTERS, buildFilters } from './index';

describe('buildFilters', () => {
  it('builds the filters named, in order', () => {
    expect(buildFilters(['SameHostFilter', 'ComputeFilter']).map((f) => f.name)).toEqual([
      'SameHostFilter',
      'ComputeFilter',
    ]);
  });

  it('knows every filter enabled by default', () => {
    const defaults = new FilterSchedulerOptions().enabled_filters;
    expect(buildFilters(defaults)).toHaveLength(defaults.length);
    expect([...ALL_FILTERS.keys()].sort()).toEqual([...defaults].sort());
  });

  it('refuses an unknown filter name', () => {
    expect(() => buildFilters(['ComputeFilter', 'RamFilter'])).toThrow(
      "Unknown scheduler filter 'RamFilter'",
    );
  });
});

describe('prepared checks', () => {
  const defaults = new FilterSchedulerOptions().enabled_filters;

  it('leave out every filter a plain request asks nothing of', () => {
    const applied = buildFilters(defaults).filter((f) => f.prepare(makeSpec()) !== null);
    expect(applied.map((f) => f.name)).toEqual(['ComputeFilter', 'ResourceFitFilter']);
  });

  it('apply each filter the request asks something of', () => {
    const spec = makeSpec({
      availabilityZone: 'az1',
      schedulerHints: { same_host: ['a'], different_host: ['b'] },
      instanceGroup: { uuid: 'g1', policy: 'anti-affinity', members: [], hosts: [] },
      flavor: { extra_specs: { 'capabilities:cpu_info:arch': 'x86_64', pool: 'gold' } },
      image: { properties: { hw_architecture: 'x86_64' } },
    });
    const skipped = buildFilters(defaults).filter((f) => f.prepare(spec) === null);
    // Affinity has nothing to hold a first instance to; everything else applies.
    expect(skipped.map((f) => f.name)).toEqual(['ServerGroupAffinityFilter']);
  });
});
