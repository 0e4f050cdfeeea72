import { In, type DataSource } from 'typeorm';
import type { ServerAddress, ServerFlavor, ServerRecord } from '@nova/servers';
import {
  Instance,
  InstanceExtra,
  InstanceFault,
  InstanceInfoCache,
  InstanceMetadata,
  InstanceSystemMetadata,
  Tag,
} from '../entities';
import { instanceName } from '../instance-name';
import {
  afterMarker,
  applyFilters,
  matchesAddresses,
  sortExpr,
  type CellListQuery,
} from './server-filters';

/** Rows read per round when filtering by address in code. */
const PAGE = 500;

/** Reads servers (instances with their records) of one cell database. */
export class ServerReader {
  constructor(
    private readonly ds: DataSource,
    private readonly cellUuid: string,
  ) {}

  async get(uuid: string, withDeleted = false): Promise<ServerRecord | null> {
    const qb = this.ds
      .getRepository(Instance)
      .createQueryBuilder('i')
      .where('i.uuid = :uuid', { uuid });
    if (!withDeleted) {
      qb.andWhere('i.deleted = 0');
    }
    const row = await qb.orderBy('i.deleted', 'ASC').getOne();
    return row ? (await this.records([row]))[0] : null;
  }

  /** One cell's page: filtered, sorted by the effective sort keys, cut after `limit`. */
  async list(query: CellListQuery): Promise<ServerRecord[]> {
    if (query.matchesNothing) {
      return [];
    }
    const qb = this.ds.getRepository(Instance).createQueryBuilder('i');
    applyFilters(qb, query);
    for (const { key, dir } of query.sort) {
      qb.addOrderBy(sortExpr(this.ds, key), dir === 'asc' ? 'ASC' : 'DESC');
    }
    if (query.marker) {
      afterMarker(this.ds, qb, query.sort, query.marker);
    }
    if (query.ip === undefined && query.ip6 === undefined) {
      return this.records(await qb.limit(query.limit).getMany());
    }
    // Address filters match the info cache in code: page through until enough match.
    const out: ServerRecord[] = [];
    for (let offset = 0; out.length < query.limit; offset += PAGE) {
      const rows = await qb.clone().offset(offset).limit(PAGE).getMany();
      out.push(...(await this.records(rows)).filter((s) => matchesAddresses(s, query)));
      if (rows.length < PAGE) {
        break;
      }
    }
    return out.slice(0, query.limit);
  }

  /** Instances with their flavor, addresses, metadata, tags, latest fault and lock reason. */
  async records(rows: readonly Instance[]): Promise<ServerRecord[]> {
    if (rows.length === 0) {
      return [];
    }
    const uuids = rows.map((r) => r.uuid);
    const where = { instance_uuid: In(uuids) };
    const [extras, caches, metadata, sysmeta, tags, faults] = await Promise.all([
      this.ds.getRepository(InstanceExtra).find({ where, select: ['instance_uuid', 'flavor'] }),
      this.ds
        .getRepository(InstanceInfoCache)
        .find({ where, select: ['instance_uuid', 'network_info'] }),
      this.ds.getRepository(InstanceMetadata).find({ where: { ...where, deleted: 0 } }),
      this.ds
        .getRepository(InstanceSystemMetadata)
        .find({ where: { ...where, deleted: 0, key: 'locked_reason' } }),
      this.ds.getRepository(Tag).find({ where: { resource_id: In(uuids) } }),
      this.ds.getRepository(InstanceFault).find({ where, order: { id: 'DESC' } }),
    ]);
    const by = <T extends { instance_uuid: string }>(list: T[]) =>
      groupBy(list, (x) => x.instance_uuid);
    const extraOf = by(extras);
    const cacheOf = by(caches);
    const metaOf = by(metadata);
    const lockOf = by(sysmeta);
    const tagsOf = groupBy(tags, (t) => t.resource_id);
    const faultOf = by(faults);
    return rows.map((row) => {
      const fault = faultOf.get(row.uuid)?.[0];
      return {
        uuid: row.uuid,
        display_name: row.display_name,
        display_description: row.display_description,
        user_id: row.user_id ?? '',
        project_id: row.project_id ?? '',
        image_ref: row.image_ref,
        flavor: parseFlavor(extraOf.get(row.uuid)?.[0]?.flavor ?? null, row),
        key_name: row.key_name,
        key_data: row.key_data,
        user_data: row.user_data,
        hostname: row.hostname,
        vm_state: row.vm_state ?? 'building',
        task_state: row.task_state,
        power_state: row.power_state ?? 0,
        host: row.host,
        node: row.node,
        availability_zone: row.availability_zone,
        access_ip_v4: row.access_ip_v4,
        access_ip_v6: row.access_ip_v6,
        config_drive: row.config_drive,
        locked: Boolean(row.locked),
        locked_by: row.locked_by,
        locked_reason: lockOf.get(row.uuid)?.[0]?.value ?? null,
        launch_index: row.launch_index,
        reservation_id: row.reservation_id,
        progress: row.progress,
        launched_at: row.launched_at,
        terminated_at: row.terminated_at,
        created_at: row.created_at ?? new Date(0),
        updated_at: row.updated_at,
        deleted: row.deleted !== 0,
        metadata: Object.fromEntries(
          (metaOf.get(row.uuid) ?? []).map((m) => [m.key, m.value ?? '']),
        ),
        tags: (tagsOf.get(row.uuid) ?? []).map((t) => t.tag).sort(),
        addresses: parseAddresses(cacheOf.get(row.uuid)?.[0]?.network_info ?? null),
        fault: fault
          ? {
              code: fault.code,
              message: fault.message ?? '',
              details: fault.details,
              created: fault.created_at ?? new Date(0),
            }
          : null,
        security_groups: [],
        instance_name: instanceName(row.id),
        root_device_name: row.root_device_name,
        auto_disk_config: row.auto_disk_config,
        instance_type_id: row.instance_type_id,
        cell_uuid: this.cellUuid,
      };
    });
  }
}

function parseFlavor(json: string | null, row: Instance): ServerFlavor {
  const parsed = json
    ? (JSON.parse(json) as { cur?: Partial<ServerFlavor> & { flavorid?: string } }).cur
    : undefined;
  return {
    flavorid: parsed?.flavorid ?? String(row.instance_type_id ?? ''),
    name: parsed?.name ?? '',
    vcpus: parsed?.vcpus ?? row.vcpus ?? 0,
    memory_mb: parsed?.memory_mb ?? row.memory_mb ?? 0,
    root_gb: parsed?.root_gb ?? row.root_gb ?? 0,
    ephemeral_gb: parsed?.ephemeral_gb ?? row.ephemeral_gb ?? 0,
    swap: parsed?.swap ?? 0,
    extra_specs: parsed?.extra_specs ?? {},
  };
}

function parseAddresses(json: string | null): Record<string, ServerAddress[]> {
  const vifs = json
    ? (JSON.parse(json) as Array<{ network: string; address: string; mac: string }>)
    : [];
  const out: Record<string, ServerAddress[]> = {};
  for (const vif of vifs) {
    (out[vif.network] ??= []).push({
      version: vif.address.includes(':') ? 6 : 4,
      addr: vif.address,
      mac: vif.mac,
      type: 'fixed',
    });
  }
  return out;
}

function groupBy<T>(list: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of list) {
    const k = key(item);
    const group = map.get(k);
    if (group) {
      group.push(item);
    } else {
      map.set(k, [item]);
    }
  }
  return map;
}
