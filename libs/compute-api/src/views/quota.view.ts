import type { Limits, QuotaResource } from '@nova/quota';
import type { ApiVersion } from '../http/api-version';
import { VersionedView } from '../http/versioned-view';

type Range = { since?: string; until?: string };

/**
 * Which resources a quota set shows in which microversions, in Nova's order
 * (sorted by name): network quotas until 2.35, injected files until 2.56.
 */
const QUOTA_SET_FIELDS: ReadonlyArray<[QuotaResource, Range]> = [
  ['cores', {}],
  ['fixed_ips', { until: '2.35' }],
  ['floating_ips', { until: '2.35' }],
  ['injected_file_content_bytes', { until: '2.56' }],
  ['injected_file_path_bytes', { until: '2.56' }],
  ['injected_files', { until: '2.56' }],
  ['instances', {}],
  ['key_pairs', {}],
  ['metadata_items', {}],
  ['ram', {}],
  ['security_group_rules', { until: '2.35' }],
  ['security_groups', { until: '2.35' }],
  ['server_group_members', {}],
  ['server_groups', {}],
];

/** Quota class sets: network quotas until 2.49, server groups from 2.50, injected files until 2.56. */
const QUOTA_CLASS_SET_FIELDS: ReadonlyArray<[QuotaResource, Range]> = [
  ['cores', {}],
  ['fixed_ips', { until: '2.49' }],
  ['floating_ips', { until: '2.49' }],
  ['injected_file_content_bytes', { until: '2.56' }],
  ['injected_file_path_bytes', { until: '2.56' }],
  ['injected_files', { until: '2.56' }],
  ['instances', {}],
  ['key_pairs', {}],
  ['metadata_items', {}],
  ['ram', {}],
  ['security_group_rules', { until: '2.49' }],
  ['security_groups', { until: '2.49' }],
  ['server_group_members', { since: '2.50' }],
  ['server_groups', { since: '2.50' }],
];

/** The `id` to show: the project or class; none in update responses, as in Nova. */
interface QuotaViewContext {
  readonly id?: string;
}

function quotaView<T>(
  fields: ReadonlyArray<[QuotaResource, Range]>,
  value: (item: T, resource: QuotaResource) => unknown,
): VersionedView<T, QuotaViewContext> {
  const view = new VersionedView<T, QuotaViewContext>().field('id', (_, c) => c.id, {
    when: (c) => c.id !== undefined,
  });
  for (const [resource, range] of fields) {
    view.field(resource, (item) => value(item, resource), range);
  }
  return view;
}

const quotaSet = quotaView<Limits>(QUOTA_SET_FIELDS, (limits, r) => limits[r]);

interface LimitsWithUsage {
  readonly limits: Limits;
  readonly inUse: Limits;
}

const quotaSetDetail = quotaView<LimitsWithUsage>(QUOTA_SET_FIELDS, (q, r) => ({
  in_use: q.inUse[r],
  limit: q.limits[r],
  reserved: 0, // Nova no longer reserves; the field stays for compatibility
}));

const quotaClassSet = quotaView<Limits>(QUOTA_CLASS_SET_FIELDS, (limits, r) => limits[r]);

/** `{"quota_set": {...}}`; `id` is the project's (show, detail, defaults), absent after an update. */
export function quotaSetView(limits: Limits, version: ApiVersion, id?: string) {
  return { quota_set: quotaSet.render(limits, version, id === undefined ? {} : { id }) };
}

export function quotaSetDetailView(limits: Limits, inUse: Limits, version: ApiVersion, id: string) {
  return { quota_set: quotaSetDetail.render({ limits, inUse }, version, { id }) };
}

/** `{"quota_class_set": {...}}`; `id` is the class name (show), absent after an update. */
export function quotaClassSetView(limits: Limits, version: ApiVersion, id?: string) {
  return {
    quota_class_set: quotaClassSet.render(limits, version, id === undefined ? {} : { id }),
  };
}
