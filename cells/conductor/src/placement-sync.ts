import type { ComputeNodeReport, WireFlavor } from '@nova/compute-rpc';
import type { NovaConfig } from '@nova/config';
import type { PlacementService } from '@nova/placement';

/** The resources one instance of a flavor claims. */
export function flavorResources(flavor: WireFlavor): {
  VCPU: number;
  MEMORY_MB: number;
  DISK_GB: number;
} {
  return {
    VCPU: flavor.vcpus,
    MEMORY_MB: flavor.memory_mb,
    DISK_GB: flavor.root_gb + flavor.ephemeral_gb,
  };
}

/**
 * Keep the node's resource provider and inventory in step with its report;
 * writes only when the inventory changed (reports come every report_interval).
 */
export async function syncProvider(
  placement: PlacementService,
  config: NovaConfig,
  known: Map<string, string>,
  uuid: string,
  node: ComputeNodeReport,
): Promise<void> {
  const d = config.DEFAULT;
  const inventory = {
    VCPU: {
      total: node.vcpus,
      reserved: d.reserved_host_cpus,
      allocation_ratio: d.cpu_allocation_ratio ?? d.initial_cpu_allocation_ratio,
      max_unit: node.vcpus,
    },
    MEMORY_MB: {
      total: node.memory_mb,
      reserved: Math.min(d.reserved_host_memory_mb, node.memory_mb - 1),
      allocation_ratio: d.ram_allocation_ratio ?? d.initial_ram_allocation_ratio,
      max_unit: node.memory_mb,
    },
    DISK_GB: {
      total: node.local_gb,
      reserved: Math.ceil(d.reserved_host_disk_mb / 1024),
      allocation_ratio: d.disk_allocation_ratio ?? d.initial_disk_allocation_ratio,
      max_unit: node.local_gb,
    },
  };
  const fingerprint = JSON.stringify(inventory);
  if (known.get(uuid) === fingerprint) {
    return;
  }
  await placement.ensureProvider(uuid, node.hypervisor_hostname);
  await placement.setInventory(uuid, inventory);
  known.set(uuid, fingerprint);
}
