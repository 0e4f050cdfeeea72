import type { Cell } from '@nova/cell-router';
import type { NodeRow } from '@nova/host-inventory';
import type { CellRepositories, ComputeNode, Instance } from '@nova/cells/db';
import { instanceName, isServiceUp } from './service-state';

/** An instance runs on a node when it is on the node's host and on that node (or on no node yet). */
function runsOn(instance: Instance, node: ComputeNode): boolean {
  return (
    instance.host === node.host &&
    (instance.node === null || instance.node === node.hypervisor_hostname)
  );
}

/**
 * Attach to each node of one cell its nova-compute service (found by host, as
 * Nova does) and, if asked, its servers. A node whose service is gone (deleted
 * without its node) is left out.
 */
export async function nodeRows(
  db: CellRepositories,
  cell: Cell,
  nodes: readonly ComputeNode[],
  options: { withServers: boolean; downTimeSeconds: number },
): Promise<NodeRow[]> {
  const hosts = nodes.map((n) => n.host).filter((h): h is string => h !== null);
  const services = new Map(
    (await db.services.listComputesOnHosts(hosts)).map((s) => [s.host, s] as const),
  );
  const instances = options.withServers ? await db.instances.listOnHosts(hosts) : [];
  const now = Date.now();
  const rows: NodeRow[] = [];
  for (const node of nodes) {
    const service = node.host === null ? undefined : services.get(node.host);
    if (!service) {
      continue;
    }
    rows.push({
      cell,
      node,
      service,
      up: isServiceUp(service, options.downTimeSeconds, now),
      ...(options.withServers
        ? {
            servers: instances
              .filter((i) => runsOn(i, node))
              .map((i) => ({ name: instanceName(i.id), uuid: i.uuid })),
          }
        : {}),
    });
  }
  return rows;
}
