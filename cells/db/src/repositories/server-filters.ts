import type { DataSource } from 'typeorm';
import type { ServerListQuery, ServerRecord, ServerSortKey } from '@nova/servers';
import type { Conditions } from './instance-select';

/**
 * One cell's part of a listing: the API's validated query, scoped to a
 * project (or not, for all_tenants), the flavor resolved to its API-database
 * id, and the marker resolved to the server it names (in whatever cell).
 */
export type CellListQuery = Omit<ServerListQuery, 'marker' | 'flavor' | 'allTenants'> & {
  /** The project to list (undefined: every project). */
  readonly projectId?: string;
  /** instance_type_id; null: the named flavor does not exist, nothing matches. */
  readonly flavorId?: number | null;
  readonly marker?: ServerRecord;
};

/** Sortable columns; absent ones (kernel_id, ramdisk_id: no such column here) sort as ''. */
const SORT_COLUMNS: Readonly<Record<string, 'string' | 'date' | 'number'>> = {
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
  launch_index: 'number',
  locked: 'number',
  locked_by: 'string',
  progress: 'number',
  instance_type_id: 'number',
  access_ip_v4: 'string',
  access_ip_v6: 'string',
  config_drive: 'string',
  root_device_name: 'string',
  auto_disk_config: 'number',
};

/**
 * ORDER BY expressions that agree with the API's merge comparator: NULL sorts
 * first ascending (MySQL and SQLite both do), strings compare as bytes (a
 * case-insensitive MySQL collation would otherwise disagree with the merge).
 */
export function sortExpr(ds: DataSource, key: string): string {
  const type = SORT_COLUMNS[key];
  if (!type) {
    return "''";
  }
  const column = `i.${key}`;
  // A uuid is lowercase hex and dashes (we make them), where the collation's
  // order is the bytes' already; bare, the column lets an index give the order.
  return type === 'string' && key !== 'uuid' && isMysql(ds) ? `CAST(${column} AS BINARY)` : column;
}

/** Keyset pagination: rows strictly after the marker in the sort order (NULL smallest). */
export function afterMarker(
  ds: DataSource,
  qb: Conditions,
  keys: readonly ServerSortKey[],
  marker: ServerRecord,
): void {
  const ors: string[] = [];
  const params: Record<string, unknown> = {};
  keys.forEach(({ key, dir }, i) => {
    const value = sqlValue(key, (marker as unknown as Record<string, unknown>)[key]);
    const ands = keys.slice(0, i).map((k, j) => equalTo(ds, k.key, `m${j}`, params[`m${j}`]));
    const after =
      dir === 'asc' ? greaterThan(ds, key, `m${i}`, value) : lessThan(ds, key, `m${i}`, value);
    params[`m${i}`] = value;
    ors.push(`(${[...ands, after].join(' AND ')})`);
  });
  qb.andWhere(`(${ors.join(' OR ')})`, params);
}

function equalTo(ds: DataSource, key: string, p: string, value: unknown): string {
  const e = sortExpr(ds, key);
  return value === null ? `${e} IS NULL` : `${e} = :${p}`;
}

function greaterThan(ds: DataSource, key: string, p: string, value: unknown): string {
  const e = sortExpr(ds, key);
  return value === null ? `${e} IS NOT NULL` : `${e} > :${p}`;
}

function lessThan(ds: DataSource, key: string, p: string, value: unknown): string {
  const e = sortExpr(ds, key);
  return value === null ? '1 = 0' : `(${e} < :${p} OR ${e} IS NULL)`;
}

function sqlValue(key: string, value: unknown): unknown {
  if (value === null || value === undefined) {
    return SORT_COLUMNS[key] ? null : '';
  }
  if (value instanceof Date || SORT_COLUMNS[key] === 'date') {
    return new Date(value as string).toISOString().replace('T', ' ').replace('Z', '');
  }
  return typeof value === 'boolean' ? Number(value) : value;
}

function isMysql(ds: DataSource): boolean {
  return ds.options.type === 'mysql' || ds.options.type === 'mariadb';
}

function sqlTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** Nova's filters as SQL (ip/ip6 are matched on the records afterwards, as in Nova). */
export function applyFilters(qb: Conditions, q: CellListQuery): void {
  qb.andWhere(
    q.deleted === true ? 'i.deleted != 0' : q.deleted === false ? 'i.deleted = 0' : '1 = 1',
  );
  // The other cell's copy of a server in a cross-cell move: it is listed where it is mapped.
  qb.andWhere('(i.hidden = 0 OR i.hidden IS NULL)');
  const exact: Array<[string, unknown]> = [
    ['project_id', q.projectId],
    ['user_id', q.userId],
    ['host', q.host],
    ['image_ref', q.image],
    ['instance_type_id', q.flavorId],
    ['locked', q.locked],
  ];
  for (const [column, value] of exact) {
    if (value === null) {
      qb.andWhere('1 = 0');
    } else if (value !== undefined) {
      qb.andWhere(`i.${column} = :${column}`, { [column]: value });
    }
  }
  const regex: Array<[string, string | undefined]> = [
    ['display_name', q.name],
    ['display_description', q.description],
    ['node', q.node],
    ['hostname', q.hostname],
    ['key_name', q.keyName],
    ['availability_zone', q.availabilityZone],
    ['reservation_id', q.reservationId],
    ...Object.entries(q.regex ?? {}),
  ];
  regex.forEach(([column, pattern], n) => {
    if (pattern !== undefined) {
      qb.andWhere(`i.${column} REGEXP :re${n}`, { [`re${n}`]: pattern });
    }
  });
  inList(qb, 'vm_state', 'vmStates', q.vmStates);
  inList(qb, 'task_state', 'taskStates', q.taskStates);
  inList(qb, 'uuid', 'uuids', q.uuids);
  if (q.changesSince) {
    qb.andWhere('i.updated_at >= :since', { since: sqlTime(q.changesSince) });
  }
  if (q.changesBefore) {
    qb.andWhere('i.updated_at <= :before', { before: sqlTime(q.changesBefore) });
  }
  tagFilters(qb, q);
}

function inList(
  qb: Conditions,
  column: string,
  param: string,
  values: readonly string[] | undefined,
): void {
  if (values) {
    qb.andWhere(values.length ? `i.${column} IN (:...${param})` : '1 = 0', { [param]: values });
  }
}

function tagFilters(qb: Conditions, q: CellListQuery): void {
  const count = (p: string) =>
    `(SELECT COUNT(*) FROM tags t WHERE t.resource_id = i.uuid AND t.tag IN (:...${p}))`;
  if (q.tags?.length) {
    qb.andWhere(`${count('tagsAll')} = :tagsAllN`, {
      tagsAll: q.tags,
      tagsAllN: new Set(q.tags).size,
    });
  }
  if (q.tagsAny?.length) {
    qb.andWhere(`${count('tagsAny')} > 0`, { tagsAny: q.tagsAny });
  }
  if (q.notTags?.length) {
    qb.andWhere(`${count('notTags')} < :notTagsN`, {
      notTags: q.notTags,
      notTagsN: new Set(q.notTags).size,
    });
  }
  if (q.notTagsAny?.length) {
    qb.andWhere(`${count('notTagsAny')} = 0`, { notTagsAny: q.notTagsAny });
  }
}

/** Whether the query filters on what only the records say (addresses: ip, ip6). */
export function filtersOnRecords(q: Pick<CellListQuery, 'ip' | 'ip6'>): boolean {
  return q.ip !== undefined || q.ip6 !== undefined;
}

/** Nova's ip/ip6 filters: a regex on any of the server's addresses of that version. */
export function matchesAddresses(
  server: ServerRecord,
  q: Pick<CellListQuery, 'ip' | 'ip6'>,
): boolean {
  const test = (pattern: string | undefined, version: 4 | 6) => {
    if (pattern === undefined) {
      return true;
    }
    const re = new RegExp(pattern);
    return Object.values(server.addresses).some((list) =>
      list.some((a) => a.version === version && re.test(a.addr)),
    );
  };
  return test(q.ip, 4) && test(q.ip6, 6);
}
