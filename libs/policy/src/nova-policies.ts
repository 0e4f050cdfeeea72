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
  // servers
  'os_compute_api:servers:index': READER,
  'os_compute_api:servers:detail': READER,
  'os_compute_api:servers:index:get_all_tenants': ADMIN,
  'os_compute_api:servers:detail:get_all_tenants': ADMIN,
  'os_compute_api:servers:allow_all_filters': ADMIN,
  'os_compute_api:servers:show': READER,
  'os_compute_api:servers:show:flavor-extra-specs': READER,
  'os_compute_api:servers:show:host_status': ADMIN,
  'os_compute_api:servers:show:host_status:unknown-only': ADMIN,
  'os_compute_api:servers:create': MEMBER,
  'os_compute_api:servers:create:forced_host': ADMIN,
  'compute:servers:create:requested_destination': ADMIN,
  'os_compute_api:servers:create:attach_network': MEMBER,
  'os_compute_api:servers:create:trusted_certs': MEMBER,
  'os_compute_api:servers:create:zero_disk_flavor': ADMIN,
  'os_compute_api:servers:update': MEMBER,
  'os_compute_api:servers:delete': MEMBER,
  'os_compute_api:servers:reboot': MEMBER,
  'os_compute_api:servers:start': MEMBER,
  'os_compute_api:servers:stop': MEMBER,
  'os_compute_api:os-extended-server-attributes': ADMIN,
  'os_compute_api:os-pause-server:pause': MEMBER,
  'os_compute_api:os-pause-server:unpause': MEMBER,
  'os_compute_api:os-suspend-server:suspend': MEMBER,
  'os_compute_api:os-suspend-server:resume': MEMBER,
  'os_compute_api:os-lock-server:lock': MEMBER,
  'os_compute_api:os-lock-server:unlock': MEMBER,
  'os_compute_api:os-lock-server:unlock:unlock_override': ADMIN,
  'os_compute_api:os-console-output': MEMBER,
  'os_compute_api:server-metadata:index': READER,
  'os_compute_api:server-metadata:show': READER,
  'os_compute_api:server-metadata:create': MEMBER,
  'os_compute_api:server-metadata:update': MEMBER,
  'os_compute_api:server-metadata:update_all': MEMBER,
  'os_compute_api:server-metadata:delete': MEMBER,
  'os_compute_api:os-server-tags:index': READER,
  'os_compute_api:os-server-tags:show': READER,
  'os_compute_api:os-server-tags:update': MEMBER,
  'os_compute_api:os-server-tags:update_all': MEMBER,
  'os_compute_api:os-server-tags:delete': MEMBER,
  'os_compute_api:os-server-tags:delete_all': MEMBER,
  'os_compute_api:os-instance-actions:list': READER,
  'os_compute_api:os-instance-actions:show': READER,
  'os_compute_api:os-instance-actions:events': ADMIN,
  'os_compute_api:os-instance-actions:events:details': ADMIN,
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
