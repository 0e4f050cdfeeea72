import type { NovaConfig } from '@nova/config';

/**
 * The resources quotas limit, with how their usage is counted:
 * `project` (per project, optionally per user), `user` (per user: keypairs),
 * `group` (per server group), or `none` (a limit checked per request, such as
 * metadata items, never "used").
 */
export const QUOTA_RESOURCES = {
  instances: 'project',
  cores: 'project',
  ram: 'project',
  metadata_items: 'none',
  injected_files: 'none',
  injected_file_content_bytes: 'none',
  injected_file_path_bytes: 'none',
  key_pairs: 'user',
  server_groups: 'project',
  server_group_members: 'group',
  // nova-network's quotas: enforced by nothing, but stored and shown (default -1)
  // because the API still lists them before 2.36 (quota classes: before 2.50).
  fixed_ips: 'none',
  floating_ips: 'none',
  security_groups: 'none',
  security_group_rules: 'none',
} as const;

export type QuotaResource = keyof typeof QUOTA_RESOURCES;
export const QUOTA_RESOURCE_NAMES = Object.keys(QUOTA_RESOURCES) as QuotaResource[];

export type Limits = Record<QuotaResource, number>;

/** What a limit may be set to without `force`: Nova's settable range (-1 = no bound). */
export interface SettableRange {
  readonly minimum: number;
  readonly maximum: number;
}

/** `[quota]` defaults, before the `default` quota class and per-project values override them. */
export function configDefaults(config: NovaConfig): Limits {
  const q = config.quota;
  return {
    instances: q.instances,
    cores: q.cores,
    ram: q.ram,
    metadata_items: q.metadata_items,
    injected_files: q.injected_files,
    injected_file_content_bytes: q.injected_file_content_bytes,
    injected_file_path_bytes: q.injected_file_path_length,
    key_pairs: q.key_pairs,
    server_groups: q.server_groups,
    server_group_members: q.server_group_members,
    fixed_ips: -1,
    floating_ips: -1,
    security_groups: -1,
    security_group_rules: -1,
  };
}
