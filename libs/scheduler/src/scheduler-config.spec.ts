import { loadConfig } from '@nova/config';
import { schedulerConfigFrom } from './scheduler-config';

describe('scheduler configuration', () => {
  it("has Nova's names and defaults", () => {
    const config = loadConfig({ files: [], env: {} });
    expect(schedulerConfigFrom(config)).toEqual({
      enabledFilters: [
        'ComputeFilter',
        'ResourceFitFilter',
        'AvailabilityZoneFilter',
        'ComputeCapabilitiesFilter',
        'ImagePropertiesFilter',
        'AggregateInstanceExtraSpecsFilter',
        'ServerGroupAntiAffinityFilter',
        'ServerGroupAffinityFilter',
        'SameHostFilter',
        'DifferentHostFilter',
      ],
      hostSubsetSize: 1,
      maxAttempts: 3,
      weights: { ram: 1, cpu: 1, disk: 1, softAffinity: 1, softAntiAffinity: 1 },
    });
    expect(config.DEFAULT).toMatchObject({
      initial_cpu_allocation_ratio: 4,
      initial_ram_allocation_ratio: 1,
      initial_disk_allocation_ratio: 1,
      reserved_host_memory_mb: 512,
      reserved_host_disk_mb: 0,
      reserved_host_cpus: 0,
    });
    expect(config.DEFAULT.cpu_allocation_ratio).toBeUndefined();
  });

  it('reads the options from nova.conf sections', () => {
    const config = loadConfig({
      files: [],
      env: { OS_FILTER_SCHEDULER__HOST_SUBSET_SIZE: '3' },
      overrides: {
        filter_scheduler: {
          enabled_filters: 'ComputeFilter, SameHostFilter',
          ram_weight_multiplier: '-1.5',
          soft_anti_affinity_weight_multiplier: '2',
        },
        scheduler: { max_attempts: '5' },
        DEFAULT: { cpu_allocation_ratio: '16.0', reserved_host_memory_mb: '1024' },
      },
    });
    expect(schedulerConfigFrom(config)).toMatchObject({
      enabledFilters: ['ComputeFilter', 'SameHostFilter'],
      hostSubsetSize: 3,
      maxAttempts: 5,
      weights: { ram: -1.5, softAntiAffinity: 2 },
    });
    expect(config.DEFAULT.cpu_allocation_ratio).toBe(16);
    expect(config.DEFAULT.reserved_host_memory_mb).toBe(1024);
  });

  it('refuses values Nova refuses', () => {
    const load = (section: string, option: string, value: string) => () =>
      loadConfig({ files: [], env: {}, overrides: { [section]: { [option]: value } } });
    expect(load('filter_scheduler', 'host_subset_size', '0')).toThrow('host_subset_size');
    expect(load('scheduler', 'max_attempts', '0')).toThrow('max_attempts');
    expect(load('filter_scheduler', 'soft_affinity_weight_multiplier', '-1')).toThrow(
      'soft_affinity_weight_multiplier',
    );
    expect(load('filter_scheduler', 'enabled_filters', '')).toThrow('enabled_filters');
    expect(load('DEFAULT', 'ram_allocation_ratio', '-1')).toThrow('ram_allocation_ratio');
  });
});
