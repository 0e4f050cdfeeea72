import type { ApiVersion } from '../../http/api-version';

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

export function schemaParams(version: ApiVersion): string[] {
  return [
    ...SCHEMA_PARAMS_V21,
    ...JOINED_TABLE_PARAMS,
    ...(version.atLeast('2.26') ? TAG_FILTERS : []),
    ...(version.atLeast('2.66') ? ['changes-before'] : []),
    ...(version.atLeast('2.73') ? ['locked'] : []),
  ];
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
