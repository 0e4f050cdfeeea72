import type { DataSource } from 'typeorm';
import { batchedRead } from '@nova/database';
import type { WireVif } from '@nova/compute-rpc';
import { showsFault } from '@nova/compute-state';
import type { ListedRecords, ServerAddress, ServerFlavor, ServerRecord } from '@nova/servers';
import { instanceName } from '../instance-name';
import { InstanceSelect } from './instance-select';
import type { InstanceFlavors } from './instance-writer';
import {
  everyRecord,
  INSTANCE_COLUMNS,
  instanceRecords,
  recordsStatement,
  sqlBoolean,
  sqlDate,
  type RawInstanceRow,
  type RecordRow,
} from './instance-rows';
import {
  afterMarker,
  applyFilters,
  filtersOnRecords,
  matchesAddresses,
  sortExpr,
  type CellListQuery,
} from './server-filters';

/** What one instance's records say, gathered from the union of record tables. */
interface Grouped {
  flavor: string | null;
  securityGroups: string | null;
  network: string | null;
  metadata: Record<string, string>;
  lockedReason: string | null;
  tags: string[];
  fault: {
    id: number;
    code: number;
    message: string;
    details: string | null;
    created: Date;
  } | null;
}

/** Rows read per round when filtering by address in code. */
const PAGE = 500;

/** Runs a read on a DataSource that may lag behind the primary (the cell's read replica). */
export type LaggingReads = <T>(fn: (ds: DataSource) => Promise<T>) => Promise<T>;

/** Reads servers (instances with their records) of one cell database. */
export class ServerReader {
  constructor(
    private readonly ds: DataSource,
    private readonly cellUuid: string,
    /** Where list() reads: the cell's replica when it has one, else `ds`. */
    private readonly lagging: LaggingReads = (fn) => fn(ds),
  ) {}

  async get(uuid: string, withDeleted = false): Promise<ServerRecord | null> {
    // The row and its records in one round trip: both are keyed by the uuid.
    const [rows = [], records = []] = await batchedRead(this.ds, [
      {
        sql: `SELECT ${INSTANCE_COLUMNS.join(', ')} FROM instances WHERE uuid = ?${
          withDeleted ? '' : ' AND deleted = 0'
        } ORDER BY deleted ASC LIMIT 1`,
        params: [uuid],
      },
      recordsStatement(everyRecord([uuid]))!,
    ]);
    return rows[0]
      ? (this.withRecords(
          rows as unknown as RawInstanceRow[],
          records as unknown as RecordRow[],
        )[0] ?? null)
      : null;
  }

  /** What the guest posted as its password (Nova's password_0..3 system metadata), '' if nothing. */
  async password(uuid: string): Promise<string> {
    const rows = await this.ds.query<Array<{ key: string; value: string | null }>>(
      "SELECT `key`, value FROM instance_system_metadata WHERE instance_uuid = ? AND deleted = 0 AND `key` IN ('password_0', 'password_1', 'password_2', 'password_3')",
      [uuid],
    );
    return rows
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((r) => r.value ?? '')
      .join('');
  }

  /** The flavors the instance records: its own, and a move's old and new while one is under way. */
  async flavors(uuid: string): Promise<InstanceFlavors | null> {
    const rows = await this.ds.query<Array<{ flavor: string | null }>>(
      'SELECT flavor FROM instance_extra WHERE instance_uuid = ? AND deleted = 0',
      [uuid],
    );
    const json = rows[0]?.flavor;
    return json ? (JSON.parse(json) as InstanceFlavors) : null;
  }

  /** The instance's system metadata under `keys` (absent keys are left out). */
  async systemMetadata(uuid: string, keys: readonly string[]): Promise<Record<string, string>> {
    if (keys.length === 0) {
      return {};
    }
    const rows = await this.ds.query<Array<{ key: string; value: string | null }>>(
      `SELECT \`key\`, value FROM instance_system_metadata WHERE instance_uuid = ? AND deleted = 0 AND \`key\` IN (${keys.map(() => '?').join(', ')})`,
      [uuid, ...keys],
    );
    return Object.fromEntries(
      rows.filter((r) => r.value !== null).map((r) => [r.key, r.value as string]),
    );
  }

  /** The instance's NICs as the info cache keeps them (with their subnets when recorded). */
  async networkInfo(uuid: string): Promise<WireVif[]> {
    const rows = await this.ds.query<Array<{ network_info: string | null }>>(
      'SELECT network_info FROM instance_info_caches WHERE instance_uuid = ? AND deleted = 0',
      [uuid],
    );
    const parsed: unknown = rows[0]?.network_info ? JSON.parse(rows[0].network_info) : [];
    return Array.isArray(parsed) ? parsed.filter(isVif) : [];
  }

  /**
   * One cell's page: filtered, sorted by the effective sort keys, cut after `limit`.
   * Read from the cell's replica when it has one, so it may lag behind the latest
   * writes; get() and everything else read the primary.
   *
   * `withRecords` false: the servers come bare, read from the instances table
   * alone (no flavor record, addresses, metadata, tags, fault, lock reason), for
   * complete() once a merge across cells has kept them: a page of 50 over two
   * cells reads 100 rows but the records of only the 50 it shows. Address
   * filters match on the records, so with those the servers come complete.
   */
  async list(query: CellListQuery, withRecords = true): Promise<ServerRecord[]> {
    if (query.matchesNothing) {
      return [];
    }
    return this.lagging((ds) => new ServerReader(ds, this.cellUuid).page(query, withRecords));
  }

  /**
   * Bare servers of this cell (list(query, false)) with the records `shown`,
   * in the same order: a fault only for a server whose status shows it, a
   * lock reason only for a locked one, tags unless `untagged`.
   */
  async complete(
    servers: readonly ServerRecord[],
    shown: ListedRecords = 'all',
  ): Promise<ServerRecord[]> {
    if (servers.length === 0 || shown === 'none') {
      return [...servers];
    }
    const uuids = servers.map((s) => s.uuid);
    const uuidsOf = (keep: (s: ServerRecord) => boolean) =>
      servers.flatMap((s) => (keep(s) ? [s.uuid] : []));
    const records = await this.lagging((ds) =>
      instanceRecords(ds, {
        all: uuids,
        tags: shown === 'all' ? uuids : [],
        lockReasons: uuidsOf((s) => s.locked),
        faults: uuidsOf((s) => showsFault(s.vm_state, s.task_state)),
      }),
    );
    const grouped = groupRecords(records);
    return servers.map((s) => ({ ...s, ...recordFields(grouped.get(s.uuid), s.flavor) }));
  }

  private async page(query: CellListQuery, withRecords: boolean): Promise<ServerRecord[]> {
    const qb = new InstanceSelect(this.ds, INSTANCE_COLUMNS);
    applyFilters(qb, query);
    for (const { key, dir } of query.sort) {
      qb.addOrderBy(sortExpr(this.ds, key), dir === 'asc' ? 'ASC' : 'DESC');
    }
    if (query.marker) {
      afterMarker(this.ds, qb, query.sort, query.marker);
    }
    if (!filtersOnRecords(query)) {
      const rows = await this.rows(qb.limit(query.limit));
      return withRecords ? this.records(rows) : this.withRecords(rows, []);
    }
    // Address filters match the info cache in code: page through until enough match.
    const out: ServerRecord[] = [];
    for (let offset = 0; out.length < query.limit; offset += PAGE) {
      const rows = await this.rows(qb.clone().offset(offset).limit(PAGE));
      out.push(...(await this.records(rows)).filter((s) => matchesAddresses(s, query)));
      if (rows.length < PAGE) {
        break;
      }
    }
    return out.slice(0, query.limit);
  }

  /** The query's rows as the driver gives them (entity hydration costs more than the query). */
  private rows(qb: InstanceSelect): Promise<RawInstanceRow[]> {
    const [sql, params] = qb.build();
    return this.ds.query<RawInstanceRow[]>(sql, params);
  }

  /** Instances with their flavor, addresses, metadata, tags, latest fault and lock reason. */
  private async records(rows: readonly RawInstanceRow[]): Promise<ServerRecord[]> {
    if (rows.length === 0) {
      return [];
    }
    const records = await instanceRecords(this.ds, everyRecord(rows.map((r) => r.uuid)));
    return this.withRecords(rows, records);
  }

  /** The rows as servers, with what `records` (their union of record tables) says of each. */
  private withRecords(
    rows: readonly RawInstanceRow[],
    records: readonly RecordRow[],
  ): ServerRecord[] {
    const grouped = groupRecords(records);
    return rows.map((row) => ({
      uuid: row.uuid,
      display_name: row.display_name,
      display_description: row.display_description,
      user_id: row.user_id ?? '',
      project_id: row.project_id ?? '',
      image_ref: row.image_ref,
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
      locked: sqlBoolean(row.locked) ?? false,
      locked_by: row.locked_by,
      launch_index: row.launch_index,
      reservation_id: row.reservation_id,
      progress: row.progress,
      launched_at: sqlDate(row.launched_at),
      terminated_at: sqlDate(row.terminated_at),
      created_at: sqlDate(row.created_at) ?? new Date(0),
      updated_at: sqlDate(row.updated_at),
      deleted: row.deleted !== 0,
      instance_name: instanceName(row.id),
      root_device_name: row.root_device_name,
      auto_disk_config: sqlBoolean(row.auto_disk_config),
      instance_type_id: row.instance_type_id,
      cell_uuid: this.cellUuid,
      ...recordFields(grouped.get(row.uuid), rowFlavor(row)),
    }));
  }
}

/** A server's fields that come from its records rather than its instance row. */
type RecordFields = Pick<
  ServerRecord,
  'flavor' | 'locked_reason' | 'metadata' | 'tags' | 'addresses' | 'fault' | 'security_groups'
>;

/** The union of record tables (instanceRecords) gathered per instance. */
function groupRecords(records: readonly RecordRow[]): Map<string, Grouped> {
  const of = new Map<string, Grouped>();
  for (const r of records) {
    let g = of.get(r.u);
    if (!g) {
      g = {
        flavor: null,
        securityGroups: null,
        network: null,
        metadata: {},
        lockedReason: null,
        tags: [],
        fault: null,
      };
      of.set(r.u, g);
    }
    switch (r.k) {
      case 'x':
        g.flavor = r.a;
        g.securityGroups = r.b;
        break;
      case 'n':
        g.network = r.a;
        break;
      case 'm':
        g.metadata[r.a ?? ''] = r.b ?? '';
        break;
      case 'l':
        g.lockedReason = r.a;
        break;
      case 't':
        g.tags.push(r.a ?? '');
        break;
      case 'f':
        if (!g.fault || Number(r.o) > g.fault.id) {
          g.fault = {
            id: Number(r.o),
            code: Number(r.n),
            message: r.a ?? '',
            details: r.b,
            created: sqlDate(r.t) ?? new Date(0),
          };
        }
        break;
    }
  }
  return of;
}

/** What an instance's records say; none (a bare server, or none written yet): the row's flavor. */
function recordFields(g: Grouped | undefined, fallback: ServerFlavor): RecordFields {
  const fault = g?.fault;
  return {
    flavor: g?.flavor ? parseFlavor(g.flavor, fallback) : fallback,
    locked_reason: g?.lockedReason ?? null,
    metadata: g?.metadata ?? {},
    tags: g ? g.tags.sort() : [],
    addresses: parseAddresses(g?.network ?? null),
    fault: fault
      ? { code: fault.code, message: fault.message, details: fault.details, created: fault.created }
      : null,
    security_groups: g?.securityGroups ? (JSON.parse(g.securityGroups) as string[]) : [],
  };
}

/** The flavor as the instance row has it (its columns), for when no flavor record says more. */
function rowFlavor(row: RawInstanceRow): ServerFlavor {
  return {
    flavorid: String(row.instance_type_id ?? ''),
    name: '',
    vcpus: row.vcpus ?? 0,
    memory_mb: row.memory_mb ?? 0,
    root_gb: row.root_gb ?? 0,
    ephemeral_gb: row.ephemeral_gb ?? 0,
    swap: 0,
    extra_specs: {},
  };
}

function parseFlavor(json: string, fallback: ServerFlavor): ServerFlavor {
  const parsed = (JSON.parse(json) as { cur?: Partial<ServerFlavor> & { flavorid?: string } }).cur;
  return {
    flavorid: parsed?.flavorid ?? fallback.flavorid,
    name: parsed?.name ?? fallback.name,
    vcpus: parsed?.vcpus ?? fallback.vcpus,
    memory_mb: parsed?.memory_mb ?? fallback.memory_mb,
    root_gb: parsed?.root_gb ?? fallback.root_gb,
    ephemeral_gb: parsed?.ephemeral_gb ?? fallback.ephemeral_gb,
    swap: parsed?.swap ?? fallback.swap,
    extra_specs: parsed?.extra_specs ?? fallback.extra_specs,
  };
}

/** A network's fixed addresses first, then its floating ones (Nova's order). */
function parseAddresses(json: string | null): Record<string, ServerAddress[]> {
  const vifs = json ? (JSON.parse(json) as WireVif[]) : [];
  const out: Record<string, ServerAddress[]> = {};
  const address = (addr: string, mac: string, type: ServerAddress['type']): ServerAddress => ({
    version: addr.includes(':') ? 6 : 4,
    addr,
    mac,
    type,
  });
  for (const vif of vifs) {
    (out[vif.network] ??= []).push(address(vif.address, vif.mac, 'fixed'));
  }
  for (const vif of vifs) {
    for (const floating of vif.floating_ips ?? []) {
      out[vif.network].push(address(floating, vif.mac, 'floating'));
    }
  }
  return out;
}

function isVif(value: unknown): value is WireVif {
  const v = value as Partial<Record<keyof WireVif, unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.network === 'string' &&
    typeof v.address === 'string' &&
    typeof v.mac === 'string'
  );
}
