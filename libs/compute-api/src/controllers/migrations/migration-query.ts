import type { MigrationListQuery } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { single, type Query } from '../../http/query';
import { DATE_TIME, LIMIT, QuerySchema } from '../../http/query-schema';
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

export const MIGRATION_LIST_QUERY = new QuerySchema(
  [
    { name: 'hidden' },
    ...FILTERS.map(([name]) => ({ name })),
    ...OWNERS.map(([name]) => ({ name, since: '2.80' })),
    { name: 'limit', since: '2.59', schema: LIMIT },
    { name: 'marker', since: '2.59' },
    { name: 'changes-since', since: '2.59', schema: DATE_TIME },
    { name: 'changes-before', since: '2.66', schema: DATE_TIME },
  ],
  '2.59',
);

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
  const known = MIGRATION_LIST_QUERY.names(version);
  const dates = ['changes-since', 'changes-before'].filter((name) => known.includes(name));
  const owners = version.atLeast('2.80') ? OWNERS : [];
  MIGRATION_LIST_QUERY.check(query, version);
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
