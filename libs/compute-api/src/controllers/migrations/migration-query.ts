import type { MigrationListQuery } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { checkQueryKeys, single, type Query } from '../../http/query';
import { changesWindow, schemaLimit } from '../servers/paging-params';

const FILTERS = [
  ['host', 'host'],
  ['instance_uuid', 'instanceUuid'],
  ['source_compute', 'sourceCompute'],
  ['status', 'status'],
  ['migration_type', 'migrationType'],
] as const;

const OWNERS = [
  ['user_id', 'userId'],
  ['project_id', 'projectId'],
] as const;

/**
 * GET /os-migrations's query as Nova's schemas take it: before 2.59 the
 * filters, anything else ignored; from 2.59 a page (limit, marker,
 * changes-since) and nothing unknown; 2.66 adds changes-before, 2.80 user_id
 * and project_id. `hidden` is accepted but hidden migrations (the copy a
 * cross-cell move leaves behind) are never listed, as in Nova.
 */
export function migrationListQuery(
  query: Query,
  version: ApiVersion,
  maxLimit: number,
): MigrationListQuery {
  const paged = version.atLeast('2.59');
  const dates = paged
    ? ['changes-since', ...(version.atLeast('2.66') ? ['changes-before'] : [])]
    : [];
  const owners = version.atLeast('2.80') ? OWNERS : [];
  checkQueryKeys(
    query,
    [
      'hidden',
      ...FILTERS.map(([name]) => name),
      ...owners.map(([name]) => name),
      ...(paged ? ['limit', 'marker'] : []),
      ...dates,
    ],
    version,
    '2.59',
  );
  const out: Record<string, unknown> = { hidden: false };
  for (const [name, key] of [...FILTERS, ...owners]) {
    const value = single(query, name);
    if (value !== undefined) {
      out[key] = value;
    }
  }
  if (paged) {
    out['limit'] = schemaLimit(query, maxLimit);
    const marker = single(query, 'marker');
    if (marker !== undefined) {
      out['marker'] = marker;
    }
    Object.assign(out, changesWindow(query, dates));
  }
  return out;
}
