/**
 * Compute hosts written straight into a cell database and placement, as a
 * compute's first report and the cell conductor's placement sync leave them:
 * a service and a compute node per host, a resource provider with inventory
 * per node. bench:scheduler's region and bench:scale's simulated hosts; both
 * need thousands of them, which one process per host could not serve here.
 */
import { randomUUID } from 'node:crypto';
import { In, type DataSource } from 'typeorm';
import { Inventory, ResourceClass, ResourceProvider } from '@nova/api-db';
import { ComputeNode, Service } from '@nova/cells/db';
import type { InventoryInputs, PlacementService } from '@nova/placement';

const CHUNK = 500;

export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

export interface HostResources {
  readonly vcpus: number;
  readonly memory_mb: number;
  readonly local_gb: number;
}

/** What the instances already on a host use of it. */
export interface HostUsage extends HostResources {
  readonly vms: number;
}

const IDLE: HostUsage = { vcpus: 0, memory_mb: 0, local_gb: 0, vms: 0 };

/**
 * Services and compute nodes for `hosts` in the cell's database; returns each
 * host's node uuid (its resource provider's). With `disabledReason` the
 * services are disabled: no process serves them, the scheduler never picks them.
 */
export async function insertComputeHosts(
  cellDs: DataSource,
  hosts: readonly string[],
  options: {
    readonly resources: HostResources;
    readonly disabledReason?: string;
    readonly usage?: (host: string) => HostUsage;
  },
): Promise<Map<string, string>> {
  const now = new Date();
  for (const part of chunks(hosts)) {
    await cellDs.getRepository(Service).insert(
      part.map((host) => ({
        uuid: randomUUID(),
        host,
        binary: 'nova-compute',
        topic: 'compute',
        report_count: 1,
        disabled: options.disabledReason !== undefined,
        disabled_reason: options.disabledReason ?? null,
        forced_down: false,
        last_seen_up: now,
        created_at: now,
        updated_at: now,
        deleted: 0,
      })),
    );
  }
  const services = new Map<string, number>();
  for (const part of chunks(hosts)) {
    const rows = await cellDs
      .getRepository(Service)
      .findBy({ binary: 'nova-compute', host: In(part) });
    rows.forEach((s) => services.set(s.host as string, s.id));
  }
  const { resources } = options;
  const nodes = new Map<string, string>();
  for (const part of chunks(hosts)) {
    await cellDs.getRepository(ComputeNode).insert(
      part.map((host) => {
        const uuid = randomUUID();
        nodes.set(host, uuid);
        const used = options.usage?.(host) ?? IDLE;
        return {
          uuid,
          service_id: services.get(host)!,
          host,
          hypervisor_hostname: host,
          ...resources,
          vcpus_used: used.vcpus,
          memory_mb_used: used.memory_mb,
          local_gb_used: used.local_gb,
          free_ram_mb: resources.memory_mb - used.memory_mb,
          free_disk_gb: resources.local_gb - used.local_gb,
          running_vms: used.vms,
          current_workload: 0,
          hypervisor_type: 'fake',
          hypervisor_version: '1000',
          cpu_info: '{"arch": "x86_64"}',
          host_ip: '127.0.0.1',
          mapped: 1,
          created_at: now,
          deleted: 0,
        };
      }),
    );
  }
  return nodes;
}

/**
 * A resource provider (named after its host) with `inventory` for every node.
 * The first goes through placement itself, which creates the resource
 * classes; the rest in bulk.
 */
export async function insertProviders(
  placement: PlacementService,
  apiDs: DataSource,
  nodes: ReadonlyMap<string, string>,
  inventory: InventoryInputs,
): Promise<void> {
  const [first, ...rest] = [...nodes];
  if (!first) {
    return;
  }
  await placement.ensureProvider(first[1], first[0]);
  await placement.setInventory(first[1], inventory);
  const classes = new Map(
    (await apiDs.getRepository(ResourceClass).find()).map((c) => [c.name, c.id] as const),
  );
  const now = new Date();
  for (const part of chunks(rest)) {
    await apiDs.getRepository(ResourceProvider).insert(
      part.map(([host, uuid]) => ({
        uuid,
        name: host,
        generation: 1,
        root_provider_id: null,
        parent_provider_id: null,
        created_at: now,
        updated_at: null,
      })),
    );
    await apiDs.query(
      'UPDATE resource_providers SET root_provider_id = id WHERE root_provider_id IS NULL',
    );
    const ids = new Map(
      (
        await apiDs
          .getRepository(ResourceProvider)
          .findBy({ uuid: In(part.map(([, uuid]) => uuid)) })
      ).map((p) => [p.uuid, p.id] as const),
    );
    await apiDs.getRepository(Inventory).insert(
      part.flatMap(([, uuid]) =>
        Object.entries(inventory).flatMap(([rc, inv]) =>
          inv
            ? [
                {
                  resource_provider_id: ids.get(uuid)!,
                  resource_class_id: classes.get(rc)!,
                  total: inv.total,
                  reserved: inv.reserved ?? 0,
                  min_unit: 1,
                  max_unit: inv.total,
                  step_size: 1,
                  allocation_ratio: inv.allocation_ratio ?? 1,
                  created_at: now,
                  updated_at: null,
                },
              ]
            : [],
        ),
      ),
    );
  }
}
