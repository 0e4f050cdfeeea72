import type { DataSource, SelectQueryBuilder } from 'typeorm';
import type { WireVif } from '@nova/compute-rpc';
import type { ServerAddress, ServerFlavor, ServerRecord } from '@nova/servers';
import { Instance } from '../entities';
import { instanceName } from '../instance-name';
import type { InstanceFlavors } from './instance-writer';
import {
  INSTANCE_COLUMNS,
  instanceRecords,
  instanceRow,
  sqlDate,
  type InstanceRow,
  type RecordRow,
} from './instance-rows';
import {
  afterMarker,
  applyFilters,
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
    // The row and its records at once: both are keyed by the uuid, so a show
    // waits for one round trip, not two (on two pooled connections).
    const [rows, records] = await Promise.all([
      this.ds.query<Array<Record<string, unknown>>>(
        `SELECT ${INSTANCE_COLUMNS.join(', ')} FROM instances WHERE uuid = ?${
          withDeleted ? '' : ' AND deleted = 0'
        } ORDER BY deleted ASC LIMIT 1`,
        [uuid],
      ),
      instanceRecords(this.ds, [uuid]),
    ]);
    return rows[0] ? (this.withRecords([instanceRow(rows[0])], records)[0] ?? null) : null;
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
   */
  async list(query: CellListQuery): Promise<ServerRecord[]> {
    if (query.matchesNothing) {
      return [];
    }
    return this.lagging((ds) => new ServerReader(ds, this.cellUuid).page(query));
  }

  private async page(query: CellListQuery): Promise<ServerRecord[]> {
    const qb = this.ds
      .getRepository(Instance)
      .createQueryBuilder('i')
      .select(INSTANCE_COLUMNS.map((c) => `i.${c}`));
    applyFilters(qb, query);
    for (const { key, dir } of query.sort) {
      qb.addOrderBy(sortExpr(this.ds, key), dir === 'asc' ? 'ASC' : 'DESC');
    }
    if (query.marker) {
      afterMarker(this.ds, qb, query.sort, query.marker);
    }
    if (query.ip === undefined && query.ip6 === undefined) {
      return this.records(await this.rows(qb.limit(query.limit)));
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

  /** The query's rows as typed instance rows (raw: entity hydration costs more than the query). */
  private async rows(qb: SelectQueryBuilder<Instance>): Promise<InstanceRow[]> {
    const [sql, params] = qb.getQueryAndParameters();
    const raw = await this.ds.query<Array<Record<string, unknown>>>(sql, params);
    return raw.map((r) => instanceRow(r, 'i_'));
  }

  /** Instances with their flavor, addresses, metadata, tags, latest fault and lock reason. */
  async records(rows: readonly InstanceRow[]): Promise<ServerRecord[]> {
    if (rows.length === 0) {
      return [];
    }
    const records = await instanceRecords(
      this.ds,
      rows.map((r) => r.uuid),
    );
    return this.withRecords(rows, records);
  }

  /** The rows as servers, with what `records` (their union of record tables) says of each. */
  private withRecords(rows: readonly InstanceRow[], records: readonly RecordRow[]): ServerRecord[] {
    const of = new Map<string, Grouped>();
    const group = (uuid: string): Grouped => {
      let g = of.get(uuid);
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
        of.set(uuid, g);
      }
      return g;
    };
    for (const r of records) {
      const g = group(r.u);
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
    return rows.map((row) => {
      const g = group(row.uuid);
      const fault = g.fault;
      return {
        uuid: row.uuid,
        display_name: row.display_name,
        display_description: row.display_description,
        user_id: row.user_id ?? '',
        project_id: row.project_id ?? '',
        image_ref: row.image_ref,
        flavor: parseFlavor(g.flavor, row),
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
        locked_reason: g.lockedReason,
        launch_index: row.launch_index,
        reservation_id: row.reservation_id,
        progress: row.progress,
        launched_at: row.launched_at,
        terminated_at: row.terminated_at,
        created_at: row.created_at ?? new Date(0),
        updated_at: row.updated_at,
        deleted: row.deleted !== 0,
        metadata: g.metadata,
        tags: g.tags.sort(),
        addresses: parseAddresses(g.network),
        fault: fault
          ? {
              code: fault.code,
              message: fault.message,
              details: fault.details,
              created: fault.created,
            }
          : null,
        security_groups: g.securityGroups ? (JSON.parse(g.securityGroups) as string[]) : [],
        instance_name: instanceName(row.id),
        root_device_name: row.root_device_name,
        auto_disk_config: row.auto_disk_config,
        instance_type_id: row.instance_type_id,
        cell_uuid: this.cellUuid,
      };
    });
  }
}

function parseFlavor(json: string | null, row: InstanceRow): ServerFlavor {
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
