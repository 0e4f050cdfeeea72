import { FilterSchedulerOptions } from '@nova/config';
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
