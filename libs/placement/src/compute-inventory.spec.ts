import { DefaultOptions } from '@nova/config';
import { computeNodeInventory } from './compute-inventory';

describe('computeNodeInventory', () => {
  const defaults = new DefaultOptions();
  const node = { vcpus: 8, memory_mb: 16384, local_gb: 100 };

  it("uses Nova's initial ratios and reserved amounts by default", () => {
    expect(computeNodeInventory(node, defaults)).toEqual({
      VCPU: { total: 8, reserved: 0, allocation_ratio: 4, min_unit: 1, max_unit: 8, step_size: 1 },
      MEMORY_MB: {
        total: 16384,
        reserved: 512,
        allocation_ratio: 1,
        min_unit: 1,
        max_unit: 16384,
        step_size: 1,
      },
      DISK_GB: {
        total: 100,
        reserved: 0,
        allocation_ratio: 1,
        min_unit: 1,
        max_unit: 100,
        step_size: 1,
      },
    });
  });

  it('keeps a ratio already in placement unless the option sets one', () => {
    const current = { VCPU: { total: 8, allocation_ratio: 2 } };
    expect(computeNodeInventory(node, defaults, current)['VCPU']?.allocation_ratio).toBe(2);
    const explicit = Object.assign(new DefaultOptions(), { cpu_allocation_ratio: 16 });
    expect(computeNodeInventory(node, explicit, current)['VCPU']?.allocation_ratio).toBe(16);
  });

  it('rounds reserved disk up to GiB and caps reserved at the total', () => {
    const options = Object.assign(new DefaultOptions(), {
      reserved_host_disk_mb: 1500,
      reserved_host_memory_mb: 4096,
    });
    const inv = computeNodeInventory({ vcpus: 1, memory_mb: 2048, local_gb: 10 }, options);
    expect(inv['DISK_GB']?.reserved).toBe(2);
    expect(inv['MEMORY_MB']?.reserved).toBe(2048);
  });

  it('leaves out classes the node has none of', () => {
    expect(
      Object.keys(computeNodeInventory({ vcpus: 2, memory_mb: 1024, local_gb: 0 }, defaults)),
    ).toEqual(['VCPU', 'MEMORY_MB']);
  });
});
