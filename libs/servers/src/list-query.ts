/**
 * What GET /servers[/detail] asks of the cells, after the API validated and
 * normalized the query string (see compute-api's parseServerListQuery). Field
 * names follow Nova's filters; "regex" fields are matched like MySQL REGEXP
 * (Nova's regex filters), the others exactly.
 */

/** Sort keys Nova accepts (2.73 adds `locked`); `host`/`node` are admin-only. */
export const SERVER_SORT_KEYS = [
  'access_ip_v4',
  'access_ip_v6',
  'auto_disk_config',
  'availability_zone',
  'config_drive',
  'created_at',
  'display_description',
  'display_name',
  'host',
  'hostname',
  'image_ref',
  'instance_type_id',
  'kernel_id',
  'key_name',
  'launch_index',
  'launched_at',
  'locked',
  'locked_by',
  'node',
  'power_state',
  'progress',
  'project_id',
  'ramdisk_id',
  'root_device_name',
  'task_state',
  'terminated_at',
  'updated_at',
  'user_id',
  'uuid',
  'vm_state',
] as const;
export type ServerSortKeyName = (typeof SERVER_SORT_KEYS)[number];

export type SortDir = 'asc' | 'desc';

export interface ServerSortKey {
  readonly key: ServerSortKeyName;
  readonly dir: SortDir;
}

/**
 * The requested sort, completed so that every server has one place in it:
 * Nova appends `created_at` (and its cell-local `id`) in the direction of the
 * first key; we append `uuid` instead of `id` since ids repeat across cells.
 * Cells and the merge must both sort by exactly this list.
 */
export function effectiveSortKeys(keys: readonly ServerSortKey[]): ServerSortKey[] {
  const out = keys.length > 0 ? [...keys] : [{ key: 'created_at', dir: 'desc' } as const];
  const dir = out[0].dir;
  for (const key of ['created_at', 'uuid'] as const) {
    if (!out.some((k) => k.key === key)) {
      out.push({ key, dir });
    }
  }
  return out;
}

/** Columns Nova matches with a regular expression when filtering (admins; some from 2.83/2.90). */
export const SERVER_REGEX_FILTERS = [
  'access_ip_v4',
  'access_ip_v6',
  'auto_disk_config',
  'config_drive',
  'created_at',
  'kernel_id',
  'launch_index',
  'launched_at',
  'locked_by',
  'power_state',
  'progress',
  'ramdisk_id',
  'root_device_name',
  'terminated_at',
] as const;
export type ServerRegexFilter = (typeof SERVER_REGEX_FILTERS)[number];

export interface ServerListQuery {
  /**
   * `all_tenants` was asked for (the caller must pass the get_all_tenants
   * policy). When false, list only the caller's project: Nova then ignores
   * `project_id`/`tenant_id`.
   */
  readonly allTenants: boolean;
  /** Only with allTenants: one project (`project_id`, or its alias `tenant_id`). */
  readonly projectId?: string;
  readonly userId?: string;
  /** Regex on display_name (`name`/`display_name`). */
  readonly name?: string;
  /** Regex on display_description (`description`/`display_description`). */
  readonly description?: string;
  /** Exact vm_state set (from `status`, or `vm_state`). */
  readonly vmStates?: readonly string[];
  /** Exact task_state set (absent: any). */
  readonly taskStates?: readonly string[];
  /** Exact image_ref (`image`/`image_ref`). */
  readonly image?: string;
  /** The public flavor id (`flavor`): no such flavor matches nothing. */
  readonly flavor?: string;
  /** Exact host (admins). */
  readonly host?: string;
  /** Regex on node (admins). */
  readonly node?: string;
  /** Regex on hostname. */
  readonly hostname?: string;
  /** Regex on key_name. */
  readonly keyName?: string;
  /** Regex on availability_zone. */
  readonly availabilityZone?: string;
  /** Regex on reservation_id. */
  readonly reservationId?: string;
  readonly locked?: boolean;
  /** Exact uuids (`uuid`, admins). */
  readonly uuids?: readonly string[];
  /** Regexes on the fixed/floating addresses (Nova matches them in Python, not SQL). */
  readonly ip?: string;
  readonly ip6?: string;
  /** updated_at >= changesSince / <= changesBefore; deleted servers are included then. */
  readonly changesSince?: Date;
  readonly changesBefore?: Date;
  /**
   * true: only deleted (and soft-deleted unless softDeleted is false); false:
   * only live ones, soft-deleted ones too only when softDeleted; undefined:
   * both (changes-since/-before without `deleted`).
   */
  readonly deleted?: boolean;
  readonly softDeleted?: boolean;
  readonly tags?: readonly string[];
  readonly tagsAny?: readonly string[];
  readonly notTags?: readonly string[];
  readonly notTagsAny?: readonly string[];
  /** Less common regex filters, by instances column. */
  readonly regex?: Readonly<Partial<Record<ServerRegexFilter, string>>>;
  /** Pre-2.38 unknown `status`: Nova answers an empty list without asking the cells. */
  readonly matchesNothing?: boolean;
  /** Sort as requested, with tie-breakers (effectiveSortKeys). */
  readonly sort: readonly ServerSortKey[];
  /** Effective page size (already capped by `[api] max_limit`). */
  readonly limit: number;
  /** A server uuid: resume after it (unknown marker: 400 "marker [x] not found"). */
  readonly marker?: string;
  /**
   * 2.69+ with nothing but `all_tenants` in the query: servers of a cell that
   * does not answer are listed as minimal UNKNOWN records instead of skipped.
   */
  readonly downCellMinimal: boolean;
  /** Which of the servers' records the caller's view shows (default: all of them). */
  readonly records?: ListedRecords;
}

/**
 * What a listing's view shows of its servers' records (flavor, addresses,
 * metadata, tags...): `none` for the brief list (ids and names), `untagged`
 * for the detail list before 2.26, `all` otherwise. What it does not show is
 * not read.
 */
export type ListedRecords = 'none' | 'untagged' | 'all';
