import { In, type DataSource, type SelectQueryBuilder } from 'typeorm';
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

/** A sort key of a server listing, as a column of `instances`. */
export interface SortKey {
  readonly key: string;
  readonly dir: 'asc' | 'desc';
}

/** One cell's part of a listing: filters already validated by the API. */
export interface CellListQuery {
  readonly projectId?: string;
  readonly userId?: string;
  readonly name?: string;
  readonly vmStates?: readonly string[];
  readonly taskStates?: ReadonlyArray<string | null>;
  readonly host?: string;
  readonly node?: string;
  readonly image?: string;
  readonly flavorId?: number;
  readonly keyName?: string;
  readonly availabilityZone?: string;
  readonly locked?: boolean;
  readonly reservationId?: string;
  readonly uuids?: readonly string[];
  readonly changesSince?: Date;
  readonly changesBefore?: Date;
  readonly deleted?: boolean;
  readonly tags?: readonly string[];
  readonly tagsAny?: readonly string[];
  readonly notTags?: readonly string[];
  readonly notTagsAny?: readonly string[];
  readonly sort: readonly SortKey[];
  readonly limit: number;
  /** Resume strictly after this server in the sort order. */
  readonly marker?: ServerRecord;
}

/** Sortable columns; NULLs sort as these sentinels so SQL and the API's merge agree. */
export const SORT_COLUMNS: Readonly<Record<string, 'string' | 'date' | 'number'>> = {
  created_at: 'date',
  updated_at: 'date',
  launched_at: 'date',
  terminated_at: 'date',
  display_name: 'string',
  display_description: 'string',
  uuid: 'string',
  vm_state: 'string',
  task_state: 'string',
  power_state: 'number',
  host: 'string',
  node: 'string',
  hostname: 'string',
  key_name: 'string',
  image_ref: 'string',
  project_id: 'string',
  user_id: 'string',
  availability_zone: 'string',
  reservation_id: 'string',
  launch_index: 'number',
  locked: 'number',
  progress: 'number',
  memory_mb: 'number',
  vcpus: 'number',
  root_gb: 'number',
  ephemeral_gb: 'number',
  instance_type_id: 'number',
  access_ip_v4: 'string',
  access_ip_v6: 'string',
  config_drive: 'string',
};
const EPOCH = '1970-01-01 00:00:00';

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

  /** One cell's page: filtered, sorted as asked then by uuid, cut after `limit`. */
  async list(query: CellListQuery): Promise<ServerRecord[]> {
    const qb = this.ds.getRepository(Instance).createQueryBuilder('i');
    applyFilters(qb, query);
    const keys = [...query.sort, { key: 'uuid', dir: query.sort[0]?.dir ?? 'desc' } as SortKey];
    for (const { key, dir } of keys) {
      qb.addOrderBy(sortExpr(key), dir === 'asc' ? 'ASC' : 'DESC');
    }
    if (query.marker) {
      this.afterMarker(qb, keys, query.marker);
    }
    return this.records(await qb.limit(query.limit).getMany());
  }

  /** Keyset pagination: rows strictly after the marker in the (keys..., uuid) order. */
  private afterMarker(
    qb: SelectQueryBuilder<Instance>,
    keys: readonly SortKey[],
    marker: ServerRecord,
  ) {
    const ors: string[] = [];
    const params: Record<string, unknown> = {};
    keys.forEach(({ key, dir }, i) => {
      const ands = keys.slice(0, i).map((k, j) => `${sortExpr(k.key)} = :m${j}`);
      ands.push(`${sortExpr(key)} ${dir === 'asc' ? '>' : '<'} :m${i}`);
      params[`m${i}`] = this.sqlValue(key, markerValue(marker, key));
      ors.push(`(${ands.join(' AND ')})`);
    });
    qb.andWhere(`(${ors.join(' OR ')})`, params);
  }

  private sqlValue(key: string, value: unknown): unknown {
    if (SORT_COLUMNS[key] === 'date') {
      const date =
        value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
      return date ? date.toISOString().replace('T', ' ').replace('Z', '') : EPOCH;
    }
    if (value === null || value === undefined) {
      return SORT_COLUMNS[key] === 'number' ? 0 : '';
    }
    return typeof value === 'boolean' ? Number(value) : value;
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
        cell_uuid: this.cellUuid,
      };
    });
  }
}

function sortExpr(key: string): string {
  const type = SORT_COLUMNS[key];
  if (!type) {
    throw new Error(`not a sort column: ${key}`);
  }
  const sentinel = type === 'date' ? `'${EPOCH}'` : type === 'number' ? '0' : "''";
  return key === 'uuid' ? 'i.uuid' : `COALESCE(i.${key}, ${sentinel})`;
}

function markerValue(marker: ServerRecord, key: string): unknown {
  const record = marker as unknown as Record<string, unknown>;
  return record[key];
}

function applyFilters(qb: SelectQueryBuilder<Instance>, q: CellListQuery): void {
  qb.where(
    q.deleted === true
      ? 'i.deleted != 0'
      : q.deleted === false || q.deleted === undefined
        ? 'i.deleted = 0'
        : '1 = 1',
  );
  const eq: Array<[string, unknown]> = [
    ['project_id', q.projectId],
    ['user_id', q.userId],
    ['host', q.host],
    ['node', q.node],
    ['image_ref', q.image],
    ['instance_type_id', q.flavorId],
    ['key_name', q.keyName],
    ['availability_zone', q.availabilityZone],
    ['reservation_id', q.reservationId],
    ['locked', q.locked],
  ];
  for (const [column, value] of eq) {
    if (value !== undefined) {
      qb.andWhere(`i.${column} = :${column}`, { [column]: value });
    }
  }
  if (q.name !== undefined) {
    qb.andWhere('i.display_name REGEXP :name', { name: q.name });
  }
  if (q.vmStates) {
    qb.andWhere(q.vmStates.length ? 'i.vm_state IN (:...vmStates)' : '1 = 0', {
      vmStates: q.vmStates,
    });
  }
  if (q.taskStates) {
    const states = q.taskStates.filter((s): s is string => s !== null);
    const clauses = [
      ...(states.length ? ['i.task_state IN (:...taskStates)'] : []),
      ...(q.taskStates.includes(null) ? ['i.task_state IS NULL'] : []),
    ];
    qb.andWhere(clauses.length ? `(${clauses.join(' OR ')})` : '1 = 0', { taskStates: states });
  }
  if (q.uuids) {
    qb.andWhere(q.uuids.length ? 'i.uuid IN (:...uuids)' : '1 = 0', { uuids: q.uuids });
  }
  if (q.changesSince) {
    qb.andWhere('i.updated_at >= :since', {
      since: q.changesSince.toISOString().replace('T', ' ').replace('Z', ''),
    });
  }
  if (q.changesBefore) {
    qb.andWhere('i.updated_at <= :before', {
      before: q.changesBefore.toISOString().replace('T', ' ').replace('Z', ''),
    });
  }
  const tagCount = (p: string) =>
    `(SELECT COUNT(*) FROM tags t WHERE t.resource_id = i.uuid AND t.tag IN (:...${p}))`;
  if (q.tags?.length) {
    qb.andWhere(`${tagCount('tagsAll')} = :tagsAllN`, {
      tagsAll: q.tags,
      tagsAllN: new Set(q.tags).size,
    });
  }
  if (q.tagsAny?.length) {
    qb.andWhere(`${tagCount('tagsAny')} > 0`, { tagsAny: q.tagsAny });
  }
  if (q.notTags?.length) {
    qb.andWhere(`${tagCount('notTags')} < :notTagsN`, {
      notTags: q.notTags,
      notTagsN: new Set(q.notTags).size,
    });
  }
  if (q.notTagsAny?.length) {
    qb.andWhere(`${tagCount('notTagsAny')} = 0`, { notTagsAny: q.notTagsAny });
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
