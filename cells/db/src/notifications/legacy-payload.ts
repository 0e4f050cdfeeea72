import type { InstanceSnapshot } from './instance-payload';

function time(value: Date | null | undefined): string {
  return value ? value.toISOString().replace('T', ' ').replace('Z', '') : '';
}

/** The unversioned (legacy) `compute.instance.*` payload: Nova's flat info_from_instance fields. */
export function legacyInstancePayload(
  s: InstanceSnapshot,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const r = s.row;
  const f = s.flavor;
  return {
    tenant_id: r.project_id,
    user_id: r.user_id,
    instance_id: r.uuid,
    display_name: r.display_name,
    reservation_id: r.reservation_id,
    hostname: r.hostname,
    instance_type: f?.name ?? null,
    instance_flavor_id: f?.flavorid ?? null,
    memory_mb: f?.memory_mb ?? r.memory_mb,
    disk_gb: (f?.root_gb ?? 0) + (f?.ephemeral_gb ?? 0),
    root_gb: f?.root_gb ?? r.root_gb,
    ephemeral_gb: f?.ephemeral_gb ?? r.ephemeral_gb,
    vcpus: f?.vcpus ?? r.vcpus,
    host: r.host,
    node: r.node,
    availability_zone: r.availability_zone,
    cell_name: '',
    architecture: r.architecture,
    os_type: r.os_type,
    kernel_id: '',
    ramdisk_id: '',
    image_ref_url: r.image_ref,
    state: r.vm_state,
    state_description: r.task_state ?? '',
    progress: r.progress ?? '',
    created_at: time(r.created_at),
    launched_at: time(r.launched_at),
    terminated_at: time(r.terminated_at),
    deleted_at: time(r.deleted_at),
    access_ip_v4: r.access_ip_v4,
    access_ip_v6: r.access_ip_v6,
    fixed_ips: s.vifs.map((v) => ({
      address: v.address,
      label: v.network,
      version: v.address.includes(':') ? 6 : 4,
      vif_mac: v.mac,
      type: 'fixed',
      meta: {},
      floating_ips: [],
    })),
    metadata: s.metadata,
    ...extra,
  };
}
