import type { DataSource } from 'typeorm';
import type { RequestContext } from '@nova/common';
import { Instance } from '../entities/instance.entity';
import {
  InstanceExtra,
  InstanceInfoCache,
  InstanceMetadata,
  Tag,
} from '../entities/instance-records.entity';
import { instanceName } from '../instance-name';

/** A versioned object on the wire, as oslo.versionedobjects serializes it. */
export interface NovaObject {
  readonly 'nova_object.name': string;
  readonly 'nova_object.namespace': 'nova';
  readonly 'nova_object.version': string;
  readonly 'nova_object.data': Record<string, unknown>;
}

export function novaObject(
  name: string,
  version: string,
  data: Record<string, unknown>,
): NovaObject {
  return {
    'nova_object.name': name,
    'nova_object.namespace': 'nova',
    'nova_object.version': version,
    'nova_object.data': data,
  };
}

/** Nova's InstancePowerStateField names. */
const POWER_STATES: Record<number, string> = {
  0: 'pending',
  1: 'running',
  3: 'paused',
  4: 'shutdown',
  6: 'crashed',
  7: 'suspended',
};

/** oslo's DateTimeField on the wire: second precision, Z. */
function time(value: Date | null | undefined): string | null {
  return value ? `${value.toISOString().slice(0, 19)}Z` : null;
}

interface StoredFlavor {
  flavorid: string;
  name: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  extra_specs?: Record<string, string>;
  description?: string | null;
}

interface StoredVif {
  network: string;
  address: string;
  mac: string;
  id?: string;
}

/** Everything the instance payloads are made of, read once per notification. */
export interface InstanceSnapshot {
  readonly row: Instance;
  readonly flavor: StoredFlavor | null;
  readonly metadata: Record<string, string>;
  readonly vifs: readonly StoredVif[];
  readonly tags: readonly string[];
}

/** The instance and its records, deleted or not (a delete.end describes a deleted one). */
export async function readInstanceSnapshot(
  ds: DataSource,
  uuid: string,
): Promise<InstanceSnapshot | null> {
  const row = await ds.getRepository(Instance).findOne({ where: { uuid }, order: { id: 'DESC' } });
  if (!row) {
    return null;
  }
  const live = { instance_uuid: uuid, deleted: row.deleted };
  const [extra, meta, cache, tags] = await Promise.all([
    ds.getRepository(InstanceExtra).findOne({ where: live, select: ['flavor'] }),
    ds.getRepository(InstanceMetadata).find({ where: live, select: ['key', 'value'] }),
    ds.getRepository(InstanceInfoCache).findOne({ where: live, select: ['network_info'] }),
    ds.getRepository(Tag).find({ where: { resource_id: uuid }, select: ['tag'] }),
  ]);
  const flavors = extra?.flavor ? (JSON.parse(extra.flavor) as { cur?: StoredFlavor }) : {};
  return {
    row,
    flavor: flavors.cur ?? null,
    metadata: Object.fromEntries(meta.map((m) => [m.key, m.value ?? ''])),
    vifs: cache?.network_info ? (JSON.parse(cache.network_info) as StoredVif[]) : [],
    tags: tags.map((t) => t.tag),
  };
}

function flavorPayload(f: StoredFlavor | null): NovaObject | null {
  if (!f) {
    return null;
  }
  return novaObject('FlavorPayload', '1.4', {
    flavorid: f.flavorid,
    name: f.name,
    root_gb: f.root_gb,
    vcpus: f.vcpus,
    ephemeral_gb: f.ephemeral_gb,
    memory_mb: f.memory_mb,
    disabled: false,
    rxtx_factor: 1.0,
    extra_specs: f.extra_specs ?? {},
    projects: null,
    swap: f.swap,
    is_public: true,
    vcpu_weight: 0,
    description: f.description ?? null,
  });
}

function ipPayload(v: StoredVif): NovaObject {
  return novaObject('IpPayload', '1.0', {
    label: v.network,
    mac: v.mac,
    meta: {},
    port_uuid: v.id ?? null,
    version: v.address.includes(':') ? 6 : 4,
    address: v.address,
    device_name: v.id ? `tap${v.id.slice(0, 11)}` : null,
  });
}

/** The fields of Nova's InstancePayload 1.7, which every instance payload extends. */
export function instancePayloadFields(
  ctx: RequestContext | null,
  s: InstanceSnapshot,
): Record<string, unknown> {
  const r = s.row;
  const initiated = ctx?.userId && ctx.projectId;
  return {
    uuid: r.uuid,
    user_id: r.user_id,
    tenant_id: r.project_id,
    reservation_id: r.reservation_id,
    display_name: r.display_name,
    display_description: r.display_description,
    host_name: r.hostname,
    host: r.host,
    node: r.node,
    os_type: r.os_type,
    architecture: r.architecture,
    availability_zone: r.availability_zone,
    flavor: flavorPayload(s.flavor),
    image_uuid: r.image_ref,
    key_name: r.key_name,
    kernel_id: '',
    ramdisk_id: '',
    created_at: time(r.created_at),
    launched_at: time(r.launched_at),
    terminated_at: time(r.terminated_at),
    deleted_at: time(r.deleted_at),
    updated_at: time(r.updated_at),
    state: r.vm_state,
    power_state: r.power_state === null ? null : (POWER_STATES[r.power_state] ?? 'pending'),
    task_state: r.task_state,
    progress: r.progress ?? 0,
    ip_addresses: s.vifs.map(ipPayload),
    block_devices: [],
    metadata: s.metadata,
    locked: Boolean(r.locked),
    auto_disk_config: r.auto_disk_config ? 'AUTO' : 'MANUAL',
    // Periodic tasks run without a user: no request id, as in Nova.
    request_id: initiated ? ctx.requestId : null,
    action_initiator_user: ctx?.userId ?? null,
    action_initiator_project: ctx?.projectId ?? null,
  };
}

/** The extra fields of InstanceCreatePayload 1.11. */
export function createPayloadFields(s: InstanceSnapshot): Record<string, unknown> {
  return {
    keypairs: [],
    tags: [...s.tags],
    trusted_image_certificates: null,
    instance_name: instanceName(s.row.id),
  };
}
