import type { MigrationRecord } from '@nova/servers';
import type { ApiVersion } from '../http/api-version';
import type { Link } from '../http/links';
import { VersionedView } from '../http/versioned-view';
import { usageTime } from './servers/formatting';

/** Live migrations a user can still act on (force-complete, abort): these carry links. */
const LIVE_MIGRATION_IN_PROGRESS = new Set(['queued', 'preparing', 'running', 'post-migrating']);

export interface MigrationViewContext {
  /** Without `os-migrations:index:host` the hosts and nodes are hidden. */
  readonly showHosts: boolean;
  /** Self and bookmark links of `servers/{instance}/migrations/{id}`. */
  readonly links: (m: MigrationRecord) => Link[];
}

const host = (value: string | null, c: MigrationViewContext) => (c.showHosts ? value : null);

const view = new VersionedView<MigrationRecord, MigrationViewContext>()
  .field('id', (m) => m.id)
  .field('uuid', (m) => m.uuid, { since: '2.59' })
  .field('source_node', (m, c) => host(m.source_node, c))
  .field('dest_node', (m, c) => host(m.dest_node, c))
  .field('source_compute', (m, c) => host(m.source_compute, c))
  .field('dest_compute', (m, c) => host(m.dest_compute, c))
  .field('dest_host', (m, c) => host(m.dest_host, c))
  .field('status', (m) => m.status)
  .field('instance_uuid', (m) => m.instance_uuid)
  .field('old_instance_type_id', (m) => m.old_instance_type_id)
  .field('new_instance_type_id', (m) => m.new_instance_type_id)
  .field('created_at', (m) => usageTime(m.created_at))
  .field('updated_at', (m) => usageTime(m.updated_at))
  .field('migration_type', (m) => m.migration_type, { since: '2.23' })
  .field('user_id', (m) => m.user_id, { since: '2.80' })
  .field('project_id', (m) => m.project_id, { since: '2.80' });

/** One row of GET /os-migrations; from 2.23 an in-progress live migration links to itself. */
export function migrationView(
  m: MigrationRecord,
  version: ApiVersion,
  context: MigrationViewContext,
): Record<string, unknown> {
  const out = view.render(m, version, context);
  if (
    version.atLeast('2.23') &&
    m.migration_type === 'live-migration' &&
    LIVE_MIGRATION_IN_PROGRESS.has(m.status ?? '')
  ) {
    out['links'] = context.links(m);
  }
  return out;
}

/** Byte counters Nova's drivers report for a live migration; ours do not, so they are null. */
const PROGRESS_FIELDS = [
  'disk_processed_bytes',
  'disk_remaining_bytes',
  'disk_total_bytes',
  'memory_processed_bytes',
  'memory_remaining_bytes',
  'memory_total_bytes',
] as const;

/** One live migration of GET /servers/{id}/migrations[/{id}] (2.23): server_uuid, no types. */
export function serverMigrationView(
  m: MigrationRecord,
  version: ApiVersion,
  showHosts: boolean,
): Record<string, unknown> {
  const hostOf = (value: string | null) => (showHosts ? value : null);
  return {
    created_at: usageTime(m.created_at),
    dest_compute: hostOf(m.dest_compute),
    dest_host: hostOf(m.dest_host),
    dest_node: hostOf(m.dest_node),
    ...Object.fromEntries(PROGRESS_FIELDS.map((f) => [f, null])),
    id: m.id,
    server_uuid: m.instance_uuid,
    source_compute: hostOf(m.source_compute),
    source_node: hostOf(m.source_node),
    status: m.status,
    updated_at: usageTime(m.updated_at),
    ...(version.atLeast('2.59') ? { uuid: m.uuid } : {}),
    ...(version.atLeast('2.80') ? { user_id: m.user_id, project_id: m.project_id } : {}),
  };
}
