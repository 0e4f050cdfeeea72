import type { NodeRow } from '@nova/host-inventory';
import type { ComputeNodeTotals } from '@nova/host-inventory';
import type { ApiVersion } from '../http/api-version';
import { VersionedView } from '../http/versioned-view';

export interface HypervisorViewContext {
  /** The caller asked for servers (with_servers, or the /servers route). */
  readonly withServers: boolean;
  /** The host's uptime line (shown from 2.88 by GET /os-hypervisors/{id}). */
  readonly uptime?: string | null;
}

/** cpu_info is stored as JSON text; from 2.28 it is shown as an object ({} when empty). */
function cpuInfoObject(text: string | null): unknown {
  if (!text) {
    return {};
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

/** The fields every hypervisor view starts with. */
function identity(view: VersionedView<NodeRow, HypervisorViewContext>) {
  return view
    .field('id', (r) => r.node.id, { until: '2.52' })
    .field('id', (r) => r.node.uuid, { since: '2.53' })
    .field('hypervisor_hostname', (r) => r.node.hypervisor_hostname)
    .field('state', (r) => (r.up ? 'up' : 'down'))
    .field('status', (r) => (r.service.disabled ? 'disabled' : 'enabled'));
}

const summary = identity(new VersionedView<NodeRow, HypervisorViewContext>());

/** 2.88 moved the resource figures to placement: they and cpu_info go, uptime comes. */
const detail = identity(new VersionedView<NodeRow, HypervisorViewContext>())
  .field('hypervisor_type', (r) => r.node.hypervisor_type)
  .field('hypervisor_version', (r) =>
    r.node.hypervisor_version === null ? null : Number(r.node.hypervisor_version),
  )
  .field('host_ip', (r) => r.node.host_ip)
  .field(
    'service',
    (r) => ({
      id: r.service.id,
      host: r.node.host,
      disabled_reason: r.service.disabled_reason,
    }),
    { until: '2.52' },
  )
  .field(
    'service',
    (r) => ({
      id: r.service.uuid,
      host: r.node.host,
      disabled_reason: r.service.disabled_reason,
    }),
    { since: '2.53' },
  )
  .field('vcpus', (r) => r.node.vcpus, { until: '2.87' })
  .field('memory_mb', (r) => r.node.memory_mb, { until: '2.87' })
  .field('local_gb', (r) => r.node.local_gb, { until: '2.87' })
  .field('vcpus_used', (r) => r.node.vcpus_used, { until: '2.87' })
  .field('memory_mb_used', (r) => r.node.memory_mb_used, { until: '2.87' })
  .field('local_gb_used', (r) => r.node.local_gb_used, { until: '2.87' })
  .field('free_ram_mb', (r) => r.node.free_ram_mb, { until: '2.87' })
  .field('free_disk_gb', (r) => r.node.free_disk_gb, { until: '2.87' })
  .field('current_workload', (r) => r.node.current_workload, { until: '2.87' })
  .field('running_vms', (r) => r.node.running_vms, { until: '2.87' })
  .field('disk_available_least', (r) => r.node.disk_available_least, { until: '2.87' })
  .field('cpu_info', (r) => r.node.cpu_info, { until: '2.27' })
  .field('cpu_info', (r) => cpuInfoObject(r.node.cpu_info), { since: '2.28', until: '2.87' })
  .field('uptime', (_r, c) => c.uptime ?? null, { since: '2.88' });

/**
 * Servers appear when the node has some; from 2.75 also as [] when they were asked for.
 */
function withServers(
  out: Record<string, unknown>,
  row: NodeRow,
  version: ApiVersion,
  context: HypervisorViewContext,
): Record<string, unknown> {
  if (row.servers && row.servers.length > 0) {
    out['servers'] = row.servers.map((s) => ({ name: s.name, uuid: s.uuid }));
  } else if (context.withServers && version.atLeast('2.75')) {
    out['servers'] = [];
  }
  return out;
}

export function hypervisorSummary(
  row: NodeRow,
  version: ApiVersion,
  context: HypervisorViewContext,
) {
  return withServers(summary.render(row, version, context), row, version, context);
}

export function hypervisorDetail(
  row: NodeRow,
  version: ApiVersion,
  context: HypervisorViewContext,
) {
  return withServers(detail.render(row, version, context), row, version, context);
}

/** GET /os-hypervisors/{id}/uptime (before 2.88). */
export function hypervisorUptime(row: NodeRow, version: ApiVersion, uptime: string | null) {
  return { ...summary.render(row, version, { withServers: false }), uptime };
}

export function hypervisorStatistics(totals: ComputeNodeTotals) {
  return { hypervisor_statistics: { ...totals } };
}
