import type { DataSource } from 'typeorm';
import type { Instance } from '../entities';

/** The instance columns a server view needs, read raw (no entity hydration on the list path). */
export const INSTANCE_COLUMNS = [
  'id',
  'uuid',
  'display_name',
  'display_description',
  'user_id',
  'project_id',
  'image_ref',
  'key_name',
  'key_data',
  'user_data',
  'hostname',
  'vm_state',
  'task_state',
  'power_state',
  'host',
  'node',
  'availability_zone',
  'access_ip_v4',
  'access_ip_v6',
  'config_drive',
  'locked',
  'locked_by',
  'launch_index',
  'reservation_id',
  'progress',
  'launched_at',
  'terminated_at',
  'created_at',
  'updated_at',
  'deleted',
  'root_device_name',
  'auto_disk_config',
  'instance_type_id',
  'vcpus',
  'memory_mb',
  'root_gb',
  'ephemeral_gb',
] as const;

export type InstanceRow = Pick<Instance, (typeof INSTANCE_COLUMNS)[number]>;

const DATES = new Set(['launched_at', 'terminated_at', 'created_at', 'updated_at']);
const BOOLEANS = new Set(['locked', 'auto_disk_config']);
/** Per column, how its raw value converts (decided once, not per row). */
const CONVERSIONS = INSTANCE_COLUMNS.map(
  (column) => [column, DATES.has(column) ? 'date' : BOOLEANS.has(column) ? 'bool' : 'raw'] as const,
);

/**
 * A raw row (keyed by column name) as typed values: mysql2 gives Dates (UTC,
 * `timezone: 'Z'`) and 0/1, SQLite gives TypeORM's UTC text and 0/1.
 */
export function instanceRow(raw: Record<string, unknown>): InstanceRow {
  const out: Record<string, unknown> = {};
  for (const [column, kind] of CONVERSIONS) {
    // A constant key: a key built per row (prefix + column) cost a string
    // concatenation and a slow lookup for each of 39 columns of every row.
    const value = raw[column] ?? null;
    out[column] =
      kind === 'date'
        ? sqlDate(value)
        : kind === 'bool' && value !== null
          ? Boolean(Number(value))
          : value;
  }
  return out as unknown as InstanceRow;
}

/** A DATETIME column's value as a Date (null stays null). */
export function sqlDate(value: unknown): Date | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (value instanceof Date) {
    return value;
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    return null;
  }
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

/** `?, ?, ?` for a list. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** One record row of the union in `instanceRecords`. */
export interface RecordRow {
  /** x: extra (flavor; security groups in b), n: network info, m: metadata, l: locked_reason, t: tag, f: fault */
  readonly k: 'x' | 'n' | 'm' | 'l' | 't' | 'f';
  readonly u: string;
  readonly a: string | null;
  readonly b: string | null;
  readonly n: number | null;
  readonly t: unknown;
  readonly o: number;
}

/**
 * Every record of these instances the server view shows, in one round trip:
 * flavor, network info, metadata, lock reason, tags and faults (newest first).
 */
export async function instanceRecords(
  ds: DataSource,
  uuids: readonly string[],
): Promise<RecordRow[]> {
  const inList = `(${placeholders(uuids.length)})`;
  const sql = [
    `SELECT 'x' AS k, instance_uuid AS u, flavor AS a, security_groups AS b, NULL AS n, NULL AS t, 0 AS o FROM instance_extra WHERE instance_uuid IN ${inList}`,
    `SELECT 'n', instance_uuid, network_info, NULL, NULL, NULL, 0 FROM instance_info_caches WHERE instance_uuid IN ${inList}`,
    `SELECT 'm', instance_uuid, \`key\`, value, NULL, NULL, 0 FROM instance_metadata WHERE deleted = 0 AND instance_uuid IN ${inList}`,
    `SELECT 'l', instance_uuid, value, NULL, NULL, NULL, 0 FROM instance_system_metadata WHERE deleted = 0 AND \`key\` = 'locked_reason' AND instance_uuid IN ${inList}`,
    `SELECT 't', resource_id, tag, NULL, NULL, NULL, 0 FROM tags WHERE resource_id IN ${inList}`,
    `SELECT 'f', instance_uuid, message, details, code, created_at, id FROM instance_faults WHERE instance_uuid IN ${inList}`,
  ].join(' UNION ALL ');
  const params = Array.from({ length: 6 }, () => uuids).flat();
  return ds.query<RecordRow[]>(sql, params);
}
