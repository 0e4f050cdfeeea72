import type { ComputeNodeReport } from '@nova/compute-rpc';
import type { NovaConfig } from '@nova/config';
import { computeNodeInventory, type PlacementService } from '@nova/placement';

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
  const inventory = computeNodeInventory(node, config.DEFAULT);
  const fingerprint = JSON.stringify(inventory);
  if (known.get(uuid) === fingerprint) {
    return;
  }
  await placement.ensureProvider(uuid, node.hypervisor_hostname);
  await placement.setInventory(uuid, inventory);
  known.set(uuid, fingerprint);
}
