/**
 * Nova's policy rules and their defaults (the new project-persona defaults).
 * Base rules first; API rules reference them. Extend this table with the API
 * it protects; an operator overrides any entry in the policy file.
 */
export const BASE_RULES: Record<string, string> = {
  context_is_admin: 'role:admin',
  admin_or_owner: 'is_admin:True or project_id:%(project_id)s',
  admin_api: 'is_admin:True',
  project_admin_api: 'role:admin and project_id:%(project_id)s',
  project_member_api: 'role:member and project_id:%(project_id)s',
  project_reader_api: 'role:reader and project_id:%(project_id)s',
  project_manager_api: 'role:manager and project_id:%(project_id)s',
  project_member_or_admin: 'rule:project_member_api or rule:context_is_admin',
  project_reader_or_admin: 'rule:project_reader_api or rule:context_is_admin',
  project_manager_or_admin: 'rule:project_manager_api or rule:context_is_admin',
  service_api: 'role:service',
  service_or_admin: 'rule:service_api or rule:context_is_admin',
};

/**
 * The deprecated defaults oslo.policy ORs into the new ones when
 * `[oslo_policy] enforce_new_defaults = false`: any role in the project.
 */
export const LEGACY_BASE_RULES: Record<string, string> = {
  project_member_api: 'rule:admin_or_owner',
  project_reader_api: 'rule:admin_or_owner',
  project_manager_api: 'rule:admin_or_owner',
};

const ADMIN = 'rule:context_is_admin';
const READER = 'rule:project_reader_or_admin';
const MEMBER = 'rule:project_member_or_admin';
const OWNER_OR_ADMIN = '(rule:context_is_admin) or user_id:%(user_id)s';

export const API_RULES: Record<string, string> = {
  // flavors
  'os_compute_api:os-flavor-manage:create': ADMIN,
  'os_compute_api:os-flavor-manage:update': ADMIN,
  'os_compute_api:os-flavor-manage:delete': ADMIN,
  'os_compute_api:os-flavor-access': ADMIN,
  'os_compute_api:os-flavor-access:add_tenant_access': ADMIN,
  'os_compute_api:os-flavor-access:remove_tenant_access': ADMIN,
  'os_compute_api:os-flavor-extra-specs:index': READER,
  'os_compute_api:os-flavor-extra-specs:show': READER,
  'os_compute_api:os-flavor-extra-specs:create': ADMIN,
  'os_compute_api:os-flavor-extra-specs:update': ADMIN,
  'os_compute_api:os-flavor-extra-specs:delete': ADMIN,
  // keypairs
  'os_compute_api:os-keypairs:index': OWNER_OR_ADMIN,
  'os_compute_api:os-keypairs:create': OWNER_OR_ADMIN,
  'os_compute_api:os-keypairs:show': OWNER_OR_ADMIN,
  'os_compute_api:os-keypairs:delete': OWNER_OR_ADMIN,
  // limits and quotas
  'os_compute_api:limits': '@',
  'os_compute_api:limits:other_project': ADMIN,
  'os_compute_api:os-quota-sets:show': READER,
  'os_compute_api:os-quota-sets:detail': READER,
  'os_compute_api:os-quota-sets:defaults': '@',
  'os_compute_api:os-quota-sets:update': ADMIN,
  'os_compute_api:os-quota-sets:delete': ADMIN,
  'os_compute_api:os-quota-class-sets:show': ADMIN,
  'os_compute_api:os-quota-class-sets:update': ADMIN,
  // availability zones and aggregates
  'os_compute_api:os-availability-zone:list': '@',
  'os_compute_api:os-availability-zone:detail': ADMIN,
  'os_compute_api:os-aggregates:index': ADMIN,
  'os_compute_api:os-aggregates:create': ADMIN,
  'os_compute_api:os-aggregates:show': ADMIN,
  'os_compute_api:os-aggregates:update': ADMIN,
  'os_compute_api:os-aggregates:delete': ADMIN,
  'os_compute_api:os-aggregates:add_host': ADMIN,
  'os_compute_api:os-aggregates:remove_host': ADMIN,
  'os_compute_api:os-aggregates:set_metadata': ADMIN,
  'compute:aggregates:images': ADMIN,
  // server groups
  'os_compute_api:os-server-groups:create': MEMBER,
  'os_compute_api:os-server-groups:delete': MEMBER,
  'os_compute_api:os-server-groups:index': READER,
  'os_compute_api:os-server-groups:index:all_projects': ADMIN,
  'os_compute_api:os-server-groups:show': READER,
  // services and hypervisors
  'os_compute_api:os-services:list': ADMIN,
  'os_compute_api:os-services:update': ADMIN,
  'os_compute_api:os-services:delete': ADMIN,
  'os_compute_api:os-hypervisors:list': ADMIN,
  'os_compute_api:os-hypervisors:list-detail': ADMIN,
  'os_compute_api:os-hypervisors:show': ADMIN,
  'os_compute_api:os-hypervisors:statistics': ADMIN,
  'os_compute_api:os-hypervisors:uptime': ADMIN,
  'os_compute_api:os-hypervisors:search': ADMIN,
  'os_compute_api:os-hypervisors:servers': ADMIN,
};

export const DEFAULT_RULES: Record<string, string> = { ...BASE_RULES, ...API_RULES };
