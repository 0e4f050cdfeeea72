import type { Limits } from '@nova/quota';
import type { ApiVersion } from '../http/api-version';
import { VersionedView } from '../http/versioned-view';

interface ProjectLimits {
  readonly limits: Limits;
  readonly inUse: Limits;
}

/**
 * GET /limits "absolute", in Nova's order: network limits and their usage
 * until 2.35, maxImageMeta until 2.38, personality limits until 2.56.
 */
const absolute = new VersionedView<ProjectLimits>()
  .field('maxTotalInstances', (q) => q.limits.instances)
  .field('maxTotalCores', (q) => q.limits.cores)
  .field('maxTotalRAMSize', (q) => q.limits.ram)
  .field('maxServerMeta', (q) => q.limits.metadata_items)
  .field('maxImageMeta', (q) => q.limits.metadata_items, { until: '2.38' })
  .field('maxPersonality', (q) => q.limits.injected_files, { until: '2.56' })
  .field('maxPersonalitySize', (q) => q.limits.injected_file_content_bytes, { until: '2.56' })
  .field('maxTotalKeypairs', (q) => q.limits.key_pairs)
  .field('maxServerGroups', (q) => q.limits.server_groups)
  .field('maxServerGroupMembers', (q) => q.limits.server_group_members)
  .field('maxTotalFloatingIps', (q) => q.limits.floating_ips, { until: '2.35' })
  .field('maxSecurityGroups', (q) => q.limits.security_groups, { until: '2.35' })
  .field('maxSecurityGroupRules', (q) => q.limits.security_group_rules, { until: '2.35' })
  .field('totalRAMUsed', (q) => q.inUse.ram)
  .field('totalCoresUsed', (q) => q.inUse.cores)
  .field('totalInstancesUsed', (q) => q.inUse.instances)
  .field('totalFloatingIpsUsed', (q) => q.inUse.floating_ips, { until: '2.35' })
  .field('totalSecurityGroupsUsed', (q) => q.inUse.security_groups, { until: '2.35' })
  .field('totalServerGroupsUsed', (q) => q.inUse.server_groups);

/** `{"limits": {"rate": [], "absolute": {...}}}` (rate limits left Nova long ago). */
export function limitsView(limits: Limits, inUse: Limits, version: ApiVersion) {
  return { limits: { rate: [], absolute: absolute.render({ limits, inUse }, version, undefined) } };
}
