import { SERVER_SORT_KEYS } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { DATE_TIME, LIMIT, QuerySchema, SORT_DIR, type QueryParam } from '../../http/query-schema';

/** Query parameters GET /servers[/detail] knows (Nova's query schema), by microversion. */
const SCHEMA_PARAMS_V21 = [
  'user_id',
  'project_id',
  'tenant_id',
  'launch_index',
  'image_ref',
  'image',
  'kernel_id',
  'ramdisk_id',
  'hostname',
  'key_name',
  'power_state',
  'vm_state',
  'task_state',
  'host',
  'node',
  'flavor',
  'reservation_id',
  'launched_at',
  'terminated_at',
  'availability_zone',
  'name',
  'display_name',
  'description',
  'display_description',
  'locked_by',
  'uuid',
  'root_device_name',
  'config_drive',
  'access_ip_v4',
  'access_ip_v6',
  'auto_disk_config',
  'progress',
  'sort_key',
  'sort_dir',
  'all_tenants',
  'soft_deleted',
  'deleted',
  'status',
  'changes-since',
  'ip',
  'ip6',
  'created_at',
  'limit',
  'marker',
];

/** Joined tables Nova cannot filter on: known to the schema, 400 for those allowed all filters. */
export const JOINED_TABLE_PARAMS = [
  'block_device_mapping',
  'services',
  'metadata',
  'system_metadata',
  'info_cache',
  'security_groups',
  'pci_devices',
];

export const TAG_FILTERS = ['tags', 'tags-any', 'not-tags', 'not-tags-any'] as const;

/** Schemas of the parameters with more to say than "a string". */
const TYPED: Readonly<Record<string, QueryParam['schema']>> = {
  limit: LIMIT,
  sort_key: (version) => ({ type: 'string', enum: allowedSortKeys(version) }),
  sort_dir: SORT_DIR,
  'changes-since': DATE_TIME,
  'changes-before': DATE_TIME,
};

/** GET /servers[/detail]'s query schema (list-query.ts checks it with its own message). */
export const SERVER_LIST_QUERY = new QuerySchema(
  [
    ...SCHEMA_PARAMS_V21.map((name) => ({ name })),
    ...JOINED_TABLE_PARAMS.map((name) => ({ name })),
    ...TAG_FILTERS.map((name) => ({ name, since: '2.26' })),
    { name: 'changes-before', since: '2.66' },
    { name: 'locked', since: '2.73' },
  ].map((p) => (TYPED[p.name] ? { ...p, schema: TYPED[p.name] } : p)),
);

export function schemaParams(version: ApiVersion): string[] {
  return SERVER_LIST_QUERY.names(version);
}

/** Sort keys the schema takes: the real ones, and before 2.75 also those Nova ignores. */
export function allowedSortKeys(version: ApiVersion): string[] {
  const valid = SERVER_SORT_KEYS.filter((k) => k !== 'locked' || version.atLeast('2.73'));
  return version.atLeast('2.75') ? valid : [...valid, ...ignoredSortKeys(version)];
}

/** Filters anyone may use; the others are silently dropped unless allow_all_filters. */
export function nonAdminFilters(version: ApiVersion): string[] {
  return [
    'reservation_id',
    'name',
    'status',
    'image',
    'flavor',
    'ip',
    'changes-since',
    'all_tenants',
    ...(version.atLeast('2.5') ? ['ip6'] : []),
    ...(version.atLeast('2.26') ? TAG_FILTERS : []),
    ...(version.atLeast('2.66') ? ['changes-before'] : []),
    ...(version.atLeast('2.73') ? ['locked'] : []),
    ...(version.atLeast('2.83')
      ? [
          'availability_zone',
          'config_drive',
          'key_name',
          'created_at',
          'launched_at',
          'terminated_at',
          'power_state',
          'task_state',
          'vm_state',
          'progress',
          'user_id',
        ]
      : []),
    ...(version.atLeast('2.90') ? ['hostname'] : []),
  ];
}

/**
 * Sort keys Nova used to accept but ignores (with their paired direction);
 * from 2.75 they are 400. `locked` became a real key in 2.73.
 */
export function ignoredSortKeys(version: ApiVersion): string[] {
  return [
    'architecture',
    'cell_name',
    'cleaned',
    'default_ephemeral_device',
    'default_swap_device',
    'deleted',
    'deleted_at',
    'disable_terminate',
    'ephemeral_gb',
    'ephemeral_key_uuid',
    'id',
    'key_data',
    'launched_on',
    ...(version.atLeast('2.73') ? [] : ['locked']),
    'memory_mb',
    'os_type',
    'reservation_id',
    'root_gb',
    'shutdown_terminate',
    'user_data',
    'vcpus',
    'vm_mode',
  ];
}

/** Sort keys only admins may use (403 for others). */
export const ADMIN_SORT_KEYS = ['host', 'node'];
