import { Forbidden, Invalid } from '@nova/common';
import { statesForStatus } from '@nova/compute-state';
import {
  effectiveSortKeys,
  type ServerListQuery,
  type ServerRegexFilter,
  type ServerSortKey,
  type ServerSortKeyName,
} from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { pyRepr } from '../../http/py-repr';
import { all, pageOf, single, type Query } from '../../http/query';
import { parseIsoTime } from './list-query-time';
import {
  ADMIN_SORT_KEYS,
  allowedSortKeys,
  ignoredSortKeys,
  JOINED_TABLE_PARAMS,
  nonAdminFilters,
  schemaParams,
  TAG_FILTERS,
} from './list-query-params';

export interface ServerListQueryOptions {
  /** context.is_admin: may sort by host/node and list deleted servers. */
  readonly isAdmin: boolean;
  /** os_compute_api:servers:allow_all_filters (admin by default): keeps admin-only filters. */
  readonly allowAllFilters?: boolean;
  /** `[api] max_limit`. */
  readonly maxLimit: number;
}

const REGEX_PARAMS: Readonly<Record<string, ServerRegexFilter>> = {
  access_ip_v4: 'access_ip_v4',
  access_ip_v6: 'access_ip_v6',
  auto_disk_config: 'auto_disk_config',
  config_drive: 'config_drive',
  created_at: 'created_at',
  kernel_id: 'kernel_id',
  launch_index: 'launch_index',
  launched_at: 'launched_at',
  locked_by: 'locked_by',
  power_state: 'power_state',
  progress: 'progress',
  ramdisk_id: 'ramdisk_id',
  root_device_name: 'root_device_name',
  terminated_at: 'terminated_at',
};

/**
 * GET /servers[/detail] query string -> what the cells are asked, with Nova's
 * rules: the query schema for everyone (sort keys, date-times; unknown
 * parameters 400 from 2.75), admin-only filters silently dropped for others,
 * `status` mapped to vm/task states, deleted servers hidden unless asked.
 *
 * The caller still checks the all_tenants policy (when `allTenants`) and
 * scopes to its own project otherwise.
 */
export function parseServerListQuery(
  query: Query,
  version: ApiVersion,
  options: ServerListQueryOptions,
): ServerListQuery {
  checkSchema(query, version);
  const page = pageOf(query, options.maxLimit);
  const sort = sortKeys(query, version, options.isAdmin);
  const opts = searchOptions(query, version, options.allowAllFilters ?? options.isAdmin);
  const get = (name: string) => (opts.has(name) ? single(query, name) : undefined);

  const out: Mutable<ServerListQuery> = {
    allTenants: allTenants(get('all_tenants'), opts.has('all_tenants')),
    sort,
    limit: page.limit,
    ...(page.marker !== undefined ? { marker: page.marker } : {}),
    downCellMinimal:
      version.atLeast('2.69') && Object.keys(query).every((k) => k === 'all_tenants'),
  };
  if (out.allTenants) {
    // Without all_tenants Nova lists the caller's project whatever these say.
    setIf(out, 'projectId', get('project_id') ?? get('tenant_id'));
  }
  setIf(out, 'userId', get('user_id'));
  setIf(out, 'name', get('name') ?? get('display_name'));
  setIf(out, 'description', get('description') ?? get('display_description'));
  setIf(out, 'image', get('image') ?? get('image_ref'));
  setIf(out, 'flavor', get('flavor'));
  setIf(out, 'host', get('host'));
  setIf(out, 'node', get('node'));
  setIf(out, 'hostname', get('hostname'));
  setIf(out, 'keyName', get('key_name'));
  setIf(out, 'availabilityZone', get('availability_zone'));
  setIf(out, 'reservationId', get('reservation_id'));
  setIf(out, 'ip', get('ip'));
  setIf(out, 'ip6', get('ip6'));
  const uuid = get('uuid');
  if (uuid !== undefined) {
    out.uuids = [uuid];
  }
  const regex = Object.fromEntries(
    Object.entries(REGEX_PARAMS)
      .map(([param, column]) => [column, get(param)] as const)
      .filter(([, value]) => value !== undefined),
  );
  if (Object.keys(regex).length > 0) {
    out.regex = regex;
  }

  states(out, query, version, get);
  changes(out, get);
  deleted(out, get, options.isAdmin);
  if (version.atLeast('2.26')) {
    const lists = {
      tags: 'tags',
      'tags-any': 'tagsAny',
      'not-tags': 'notTags',
      'not-tags-any': 'notTagsAny',
    } as const;
    for (const filter of TAG_FILTERS) {
      const value = get(filter);
      if (value !== undefined) {
        out[lists[filter]] = value.split(',');
      }
    }
  }
  const locked = version.atLeast('2.73') ? get('locked') : undefined;
  if (locked !== undefined) {
    out.locked = strictBool(locked);
  }
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function setIf<K extends keyof ServerListQuery>(
  out: Mutable<ServerListQuery>,
  key: K,
  value: ServerListQuery[K] | undefined,
): void {
  if (value !== undefined) {
    out[key] = value;
  }
}

/** What the query schema rejects for everyone. */
function checkSchema(query: Query, version: ApiVersion): void {
  const known = new Set(schemaParams(version));
  if (version.atLeast('2.75')) {
    // Names starting with '_' pass the schema (and are refused as filters later).
    const unexpected = Object.keys(query).filter((k) => !known.has(k) && !k.startsWith('_'));
    if (unexpected.length > 0) {
      throw new Invalid(
        `Invalid input for query parameters ${unexpected[0]}. Value: ${String(single(query, unexpected[0]))}. Additional properties are not allowed (${unexpected.map((k) => pyRepr(k)).join(', ')} ${unexpected.length === 1 ? 'was' : 'were'} unexpected)`,
      );
    }
  }
  const validSorts = allowedSortKeys(version);
  for (const key of all(query, 'sort_key')) {
    if (!validSorts.includes(key)) {
      throw new Invalid(
        `Invalid input for query parameters sort_key. Value: ${key}. ${pyRepr(key)} is not one of ${pyRepr([...validSorts].sort())}`,
      );
    }
  }
  const dates = ['changes-since', ...(version.atLeast('2.66') ? ['changes-before'] : [])];
  for (const name of dates) {
    for (const value of all(query, name)) {
      if (parseIsoTime(value) === null) {
        throw new Invalid(
          `Invalid input for query parameters ${name}. Value: ${value}. ${pyRepr(value)} is not a 'date-time'`,
        );
      }
    }
  }
}

/**
 * The filters that apply: for callers without allow_all_filters only the
 * public ones (the rest is dropped without a word); for the others, joined
 * tables and '_' names are 400.
 */
function searchOptions(query: Query, version: ApiVersion, allowAll: boolean): Set<string> {
  const paging = ['sort_key', 'sort_dir', 'limit', 'marker'];
  const keys = Object.keys(query).filter((k) => !paging.includes(k));
  if (!allowAll) {
    const allowed = nonAdminFilters(version);
    return new Set(keys.filter((k) => allowed.includes(k)));
  }
  const bad = keys.find((k) => JOINED_TABLE_PARAMS.includes(k) || k.startsWith('_'));
  if (bad !== undefined) {
    throw new Invalid(`Invalid filter field: ${bad}.`);
  }
  return new Set(keys);
}

/** `status` (all values) overrides vm_state/task_state; unknown statuses are 400 from 2.38. */
function states(
  out: Mutable<ServerListQuery>,
  query: Query,
  version: ApiVersion,
  get: (name: string) => string | undefined,
): void {
  setIf(out, 'vmStates', get('vm_state') === undefined ? undefined : [get('vm_state')!]);
  setIf(out, 'taskStates', get('task_state') === undefined ? undefined : [get('task_state')!]);
  const statuses = all(query, 'status');
  if (statuses.length === 0) {
    return;
  }
  const vm = new Set<string>();
  const task = new Set<string>();
  let anyTask = false;
  for (const status of statuses) {
    for (const entry of statesForStatus(status.trim())) {
      vm.add(entry.vmState);
      if (entry.taskStates === 'default') {
        // The vm_state's own status: Nova then filters on vm_state alone.
        anyTask = true;
      } else {
        entry.taskStates.forEach((t) => t !== null && task.add(t));
      }
    }
  }
  if (vm.size === 0) {
    if (version.atLeast('2.38')) {
      throw new Invalid('Invalid status value');
    }
    out.matchesNothing = true;
    return;
  }
  out.vmStates = [...vm].sort();
  // With a vm_state's own status among them, a task_state filter given alongside stays.
  if (!anyTask) {
    out.taskStates = [...task].sort();
  }
}

function changes(out: Mutable<ServerListQuery>, get: (name: string) => string | undefined): void {
  const since = get('changes-since');
  const before = get('changes-before');
  if (since !== undefined) {
    out.changesSince = parseIsoTime(since)!;
  }
  if (before !== undefined) {
    out.changesBefore = parseIsoTime(before)!;
    if (out.changesSince && out.changesBefore < out.changesSince) {
      throw new Invalid('The value of changes-since must be less than or equal to changes-before.');
    }
  }
}

/**
 * Deleted servers only when asked (admins), or alongside live ones with
 * changes-since/-before; soft-deleted ones stay hidden unless `soft_deleted`.
 */
function deleted(
  out: Mutable<ServerListQuery>,
  get: (name: string) => string | undefined,
  isAdmin: boolean,
): void {
  const value = get('deleted');
  if (value !== undefined) {
    out.deleted = lenientBool(value);
  } else if (out.changesSince === undefined && out.changesBefore === undefined) {
    out.deleted = false;
  }
  const soft = get('soft_deleted');
  if (soft !== undefined) {
    out.softDeleted = lenientBool(soft);
  }
  if (out.vmStates?.length === 1 && out.vmStates[0] === 'deleted') {
    if (!isAdmin) {
      throw new Forbidden('Only administrators may list deleted instances');
    }
    out.deleted = true;
  }
}

/** Repeated sort_key/sort_dir pairs, Nova's defaults and checks, then the tie-breakers. */
function sortKeys(query: Query, version: ApiVersion, isAdmin: boolean): ServerSortKey[] {
  let keys = all(query, 'sort_key').map((k) => k.trim());
  let dirs = all(query, 'sort_dir').map((d) => d.trim());
  if (keys.length === 0) {
    keys = ['created_at'];
  }
  if (dirs.length === 0) {
    dirs = ['desc'];
  }
  const ignored = ignoredSortKeys(version);
  for (const key of [...keys]) {
    if (ignored.includes(key)) {
      const i = keys.indexOf(key);
      if (dirs.length > i) {
        dirs.splice(i, 1);
      }
      keys.splice(i, 1);
    } else if (ADMIN_SORT_KEYS.includes(key) && !isAdmin) {
      throw new Forbidden(`Only administrators can sort servers by ${key}`);
    }
  }
  for (const dir of dirs) {
    if (dir !== 'asc' && dir !== 'desc') {
      throw new Invalid("Invalid input received: Unknown sort direction, must be 'desc' or 'asc'");
    }
  }
  if (dirs.length > keys.length) {
    throw new Invalid('Invalid input received: Sort direction size exceeds sort key size');
  }
  const first = (dirs[0] ?? 'desc') as 'asc' | 'desc';
  return effectiveSortKeys(
    keys.map((key, i) => ({
      key: key as ServerSortKeyName,
      dir: (dirs[i] ?? first) as 'asc' | 'desc',
    })),
  );
}

const TRUE_STRINGS = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE_STRINGS = ['0', 'f', 'false', 'off', 'n', 'no'];

/** oslo's bool_from_string(strict=True), with its message. */
function strictBool(value: string): boolean {
  const lower = value.trim().toLowerCase();
  if (TRUE_STRINGS.includes(lower)) {
    return true;
  }
  if (FALSE_STRINGS.includes(lower)) {
    return false;
  }
  const acceptable = [...TRUE_STRINGS, ...FALSE_STRINGS]
    .sort()
    .map((s) => `'${s}'`)
    .join(', ');
  throw new Invalid(`Unrecognized value '${value}', acceptable values are: ${acceptable}`);
}

/** oslo's bool_from_string(default=False): anything unknown is false. */
function lenientBool(value: string): boolean {
  return TRUE_STRINGS.includes(value.trim().toLowerCase());
}

/** `all_tenants` present and empty means yes; otherwise a strict boolean. */
function allTenants(value: string | undefined, present: boolean): boolean {
  if (!present) {
    return false;
  }
  if (value === undefined || value === '') {
    return true;
  }
  try {
    return strictBool(value);
  } catch (e) {
    throw new Invalid(`Invalid input received: ${(e as Error).message}`);
  }
}
