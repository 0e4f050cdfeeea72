import { randomUUID } from 'node:crypto';
import type { CellContext } from '@nova/cell-router';
import { ComputeNode, Instance, Service } from '@nova/cells/db';

/** Compute nodes (and their nova-compute services) as computes would register them. */
export async function seedComputes(ctx: CellContext, hosts: string[]): Promise<void> {
  const ds = await ctx.cell.db();
  for (const host of hosts) {
    const service = await ds.getRepository(Service).save({
      uuid: randomUUID(),
      host,
      binary: 'nova-compute',
      topic: 'compute',
      report_count: 0,
      disabled: false,
      forced_down: false,
      last_seen_up: new Date(),
      deleted: 0,
    });
    await ds.getRepository(ComputeNode).save({
      uuid: randomUUID(),
      service_id: service.id,
      host,
      hypervisor_hostname: host,
      vcpus: 8,
      memory_mb: 16384,
      local_gb: 100,
      vcpus_used: 0,
      memory_mb_used: 0,
      local_gb_used: 0,
      mapped: 0,
      deleted: 0,
    });
  }
}

/** Services only (for discover_hosts --by-service). */
export async function seedServices(ctx: CellContext, hosts: string[]): Promise<void> {
  const repo = (await ctx.cell.db()).getRepository(Service);
  for (const host of hosts) {
    await repo.save({
      uuid: randomUUID(),
      host,
      binary: 'nova-compute',
      topic: 'compute',
      report_count: 0,
      disabled: true,
      forced_down: false,
      deleted: 0,
    });
  }
}

/** Instances created one millisecond apart (so oldest-first order is well defined). */
export async function seedInstances(
  ctx: CellContext,
  count: number,
  options: { host?: string; deleted?: boolean; projectId?: string } = {},
): Promise<string[]> {
  const repo = (await ctx.cell.db()).getRepository(Instance);
  const base = Date.now() - count * 1000;
  const uuids: string[] = [];
  for (let i = 0; i < count; i++) {
    const saved = await repo.save({
      uuid: randomUUID(),
      project_id: options.projectId ?? 'project-a',
      user_id: 'user-a',
      vm_state: options.deleted ? 'deleted' : 'active',
      host: options.host ?? null,
      created_at: new Date(base + i * 1000),
      deleted: 0,
    });
    if (options.deleted) {
      await repo.update({ id: saved.id }, { deleted: saved.id, deleted_at: new Date() });
    }
    uuids.push(saved.uuid);
  }
  return uuids;
}
