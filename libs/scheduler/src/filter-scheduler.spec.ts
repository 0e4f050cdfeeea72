import { loadConfig } from '@nova/config';
import { FilterScheduler } from './filter-scheduler';
import { makeHost, makeSpec } from './testing/fixtures';

describe('FilterScheduler', () => {
  it('selects with the configured filters', () => {
    const scheduler = new FilterScheduler(
      loadConfig({ files: [], env: {}, overrides: { scheduler: { max_attempts: '1' } } }),
    );
    const [selection] = scheduler.select(makeSpec(), [makeHost('a'), makeHost('b')]);
    expect(selection?.selected.host).toBe('a');
    expect(selection?.alternates).toEqual([]);
  });

  it('fails at construction on an unknown filter name', () => {
    const config = loadConfig({
      files: [],
      env: {},
      overrides: { filter_scheduler: { enabled_filters: 'ComputeFilter,RamFilter' } },
    });
    expect(() => new FilterScheduler(config)).toThrow("Unknown scheduler filter 'RamFilter'");
  });
});
