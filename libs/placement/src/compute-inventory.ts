import type { DefaultOptions } from '@nova/config';
import type { InventoryInput, InventoryInputs, StandardResourceClass } from './placement-types';

/** What a compute node has, as its virt driver reports it. */
export interface NodeResources {
  readonly vcpus: number;
  readonly memory_mb: number;
  readonly local_gb: number;
}

export type InventoryOptions = Pick<
  DefaultOptions,
  | 'cpu_allocation_ratio'
  | 'ram_allocation_ratio'
  | 'disk_allocation_ratio'
  | 'initial_cpu_allocation_ratio'
  | 'initial_ram_allocation_ratio'
  | 'initial_disk_allocation_ratio'
  | 'reserved_host_cpus'
  | 'reserved_host_memory_mb'
  | 'reserved_host_disk_mb'
>;

/**
 * The inventory a compute node reports to placement, as Nova computes it: an
 * explicit *_allocation_ratio wins; otherwise the ratio placement already has
 * (an operator may have changed it there), else initial_*_allocation_ratio.
 * Reserved amounts come from reserved_host_* (disk in whole GiB, rounded up),
 * capped at the total. A class the node has none of is left out (placement
 * refuses a total of 0).
 */
export function computeNodeInventory(
  node: NodeResources,
  options: InventoryOptions,
  current: InventoryInputs = {},
): InventoryInputs {
  const entry = (
    rc: StandardResourceClass,
    total: number,
    reserved: number,
    explicit: number | undefined,
    initial: number,
  ): Array<[string, InventoryInput]> =>
    total >= 1
      ? [
          [
            rc,
            {
              total,
              reserved: Math.min(reserved, total),
              allocation_ratio: explicit ?? current[rc]?.allocation_ratio ?? initial,
              min_unit: 1,
              max_unit: total,
              step_size: 1,
            },
          ],
        ]
      : [];
  return Object.fromEntries([
    ...entry(
      'VCPU',
      node.vcpus,
      options.reserved_host_cpus,
      options.cpu_allocation_ratio,
      options.initial_cpu_allocation_ratio,
    ),
    ...entry(
      'MEMORY_MB',
      node.memory_mb,
      options.reserved_host_memory_mb,
      options.ram_allocation_ratio,
      options.initial_ram_allocation_ratio,
    ),
    ...entry(
      'DISK_GB',
      node.local_gb,
      Math.ceil(options.reserved_host_disk_mb / 1024),
      options.disk_allocation_ratio,
      options.initial_disk_allocation_ratio,
    ),
  ]);
}
