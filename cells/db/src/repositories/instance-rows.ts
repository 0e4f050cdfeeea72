import type { DataSource } from 'typeorm';
import type { Statement } from '@nova/database';
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

type DateColumn = 'launched_at' | 'terminated_at' | 'created_at' | 'updated_at';
type BooleanColumn = 'locked' | 'auto_disk_config';

/**
 * An instance row as the driver gives it: dates as Dates (mysql2, UTC with
 * `timezone: 'Z'`) or TypeORM's UTC text (SQLite), booleans as 0/1. Read
 * once into a server (sqlDate, sqlBoolean), never copied into a typed row
 * first: a page of 100 rows of 39 columns made 100 objects for nothing.
 */
export type RawInstanceRow = Omit<InstanceRow, DateColumn | BooleanColumn> &
  Record<DateColumn | BooleanColumn, unknown>;

/** A BOOLEAN column's value (0/1, or true/false) as a boolean (null stays null). */
export function sqlBoolean(value: unknown): boolean | null {
  return value === null || value === undefined ? null : Boolean(Number(value));
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
 * Which records to read of which instances: flavor, network info and
 * metadata (`all`), tags, lock reasons and faults. A listing asks only for
 * what its view shows: a fault only shows on an ERROR or DELETED server, a
 * lock reason only on a locked one, tags from 2.26; each table left out is
 * one index probe per server saved.
 */
export interface RecordsToRead {
  readonly all: readonly string[];
  readonly tags: readonly string[];
  readonly lockReasons: readonly string[];
  readonly faults: readonly string[];
}

/** Every record of these instances (a show, or a page that filters on addresses). */
export function everyRecord(uuids: readonly string[]): RecordsToRead {
  return { all: uuids, tags: uuids, lockReasons: uuids, faults: uuids };
}

/** The record tables' selects, each naming the union's columns (a union takes the first's names). */
const RECORD_SELECTS: ReadonlyArray<[keyof RecordsToRead, string]> = [
  [
    'all',
    `SELECT 'x' AS k, instance_uuid AS u, flavor AS a, security_groups AS b, NULL AS n, NULL AS t, 0 AS o FROM instance_extra WHERE instance_uuid IN`,
  ],
  [
    'all',
    `SELECT 'n' AS k, instance_uuid AS u, network_info AS a, NULL AS b, NULL AS n, NULL AS t, 0 AS o FROM instance_info_caches WHERE instance_uuid IN`,
  ],
  [
    'all',
    `SELECT 'm' AS k, instance_uuid AS u, \`key\` AS a, value AS b, NULL AS n, NULL AS t, 0 AS o FROM instance_metadata WHERE deleted = 0 AND instance_uuid IN`,
  ],
  [
    'lockReasons',
    `SELECT 'l' AS k, instance_uuid AS u, value AS a, NULL AS b, NULL AS n, NULL AS t, 0 AS o FROM instance_system_metadata WHERE deleted = 0 AND \`key\` = 'locked_reason' AND instance_uuid IN`,
  ],
  [
    'tags',
    `SELECT 't' AS k, resource_id AS u, tag AS a, NULL AS b, NULL AS n, NULL AS t, 0 AS o FROM tags WHERE resource_id IN`,
  ],
  [
    'faults',
    `SELECT 'f' AS k, instance_uuid AS u, message AS a, details AS b, code AS n, created_at AS t, id AS o FROM instance_faults WHERE instance_uuid IN`,
  ],
];

/**
 * The records asked for, in one round trip (a UNION ALL of the record
 * tables): flavor, network info, metadata, lock reason, tags and faults.
 */
export async function instanceRecords(ds: DataSource, read: RecordsToRead): Promise<RecordRow[]> {
  const statement = recordsStatement(read);
  return statement ? ds.query<RecordRow[]>(statement.sql, [...statement.params]) : [];
}

/** The UNION ALL that reads the records asked for; null when none is. */
export function recordsStatement(read: RecordsToRead): Statement | null {
  const selects: string[] = [];
  const params: string[] = [];
  for (const [part, select] of RECORD_SELECTS) {
    const uuids = read[part];
    if (uuids.length > 0) {
      selects.push(`${select} (${placeholders(uuids.length)})`);
      params.push(...uuids);
    }
  }
  return selects.length === 0 ? null : { sql: selects.join(' UNION ALL '), params };
}
