import type { UsageInstance } from '@nova/servers';
import { usageTime } from './servers/formatting';

/** One server's share of a period (os-simple-tenant-usage server_usages). */
export interface ServerUsage {
  readonly hours: number;
  readonly flavor: string;
  readonly instance_id: string;
  readonly name: string | null;
  readonly tenant_id: string | null;
  readonly memory_mb: number;
  readonly local_gb: number;
  readonly vcpus: number;
  readonly started_at: string | null;
  readonly ended_at: string | null;
  readonly state: string | null;
  readonly uptime: number;
}

export interface TenantUsage {
  tenant_id: string | null;
  server_usages?: ServerUsage[];
  total_local_gb_usage: number;
  total_vcpus_usage: number;
  total_memory_mb_usage: number;
  total_hours: number;
  start: string | null;
  stop: string | null;
}

/** Hours of the period the instance ran: from launch (or the start) to termination (or the end). */
export function hoursFor(instance: UsageInstance, start: Date, stop: Date): number {
  const { launched_at: launched, terminated_at: terminated } = instance;
  if (terminated && terminated < start) {
    return 0;
  }
  if (!launched || launched > stop) {
    return 0;
  }
  const from = Math.max(launched.getTime(), start.getTime());
  const to = terminated ? Math.min(stop.getTime(), terminated.getTime()) : stop.getTime();
  return (to - from) / 3_600_000;
}

/**
 * Usage per tenant over a period, tenants in the order their first instance
 * comes, and every server's usage (for paging links), as Nova sums them:
 * gb, vcpus and MB times hours.
 */
export function tenantUsages(
  instances: readonly UsageInstance[],
  start: Date,
  stop: Date,
  options: { detailed: boolean; now?: Date },
): { usages: TenantUsage[]; servers: ServerUsage[] } {
  const now = options.now ?? new Date();
  const byTenant = new Map<string | null, TenantUsage>();
  const servers: ServerUsage[] = [];
  for (const instance of instances) {
    const hours = hoursFor(instance, start, stop);
    const { flavor } = instance;
    const localGb = flavor.root_gb + flavor.ephemeral_gb;
    const ended = instance.terminated_at;
    const began = instance.launched_at;
    const upTo = ended ?? now;
    const server: ServerUsage = {
      hours,
      flavor: flavor.name,
      instance_id: instance.uuid,
      name: instance.display_name,
      tenant_id: instance.project_id,
      memory_mb: flavor.memory_mb,
      local_gb: localGb,
      vcpus: flavor.vcpus,
      started_at: usageTime(began),
      ended_at: usageTime(ended),
      state: ended ? 'terminated' : instance.vm_state,
      uptime: began ? Math.trunc((upTo.getTime() - began.getTime()) / 1000) : 0,
    };
    let summary = byTenant.get(instance.project_id);
    if (!summary) {
      summary = {
        tenant_id: instance.project_id,
        ...(options.detailed ? { server_usages: [] } : {}),
        total_local_gb_usage: 0,
        total_vcpus_usage: 0,
        total_memory_mb_usage: 0,
        total_hours: 0,
        start: usageTime(start),
        stop: usageTime(stop),
      };
      byTenant.set(instance.project_id, summary);
    }
    summary.total_local_gb_usage += localGb * hours;
    summary.total_vcpus_usage += flavor.vcpus * hours;
    summary.total_memory_mb_usage += flavor.memory_mb * hours;
    summary.total_hours += hours;
    summary.server_usages?.push(server);
    servers.push(server);
  }
  return { usages: [...byTenant.values()], servers };
}
