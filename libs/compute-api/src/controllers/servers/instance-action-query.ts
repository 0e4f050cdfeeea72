import { Invalid } from '@nova/common';
import type { InstanceActionRecord } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { single, type Query } from '../../http/query';
import { DATE_TIME, LIMIT, QuerySchema } from '../../http/query-schema';
import { changesWindow, schemaLimit } from './paging-params';

/** GET /servers/{id}/os-instance-actions from 2.58: a page, filtered by updated_at. */
export interface ActionListQuery {
  readonly limit: number;
  readonly marker?: string;
  readonly changesSince?: Date;
  readonly changesBefore?: Date;
}

export const ACTION_LIST_QUERY = new QuerySchema(
  [
    { name: 'limit', since: '2.58', schema: LIMIT },
    { name: 'marker', since: '2.58' },
    { name: 'changes-since', since: '2.58', schema: DATE_TIME },
    { name: 'changes-before', since: '2.66', schema: DATE_TIME },
  ],
  '2.58',
);

/**
 * The 2.58 query schema (2.66 adds changes-before; nothing else is allowed);
 * null before 2.58, where the query string is ignored and everything listed.
 */
export function actionListQuery(
  query: Query,
  version: ApiVersion,
  maxLimit: number,
): ActionListQuery | null {
  if (!version.atLeast('2.58')) {
    return null;
  }
  const dates = ACTION_LIST_QUERY.names(version).filter((name) => name.startsWith('changes-'));
  ACTION_LIST_QUERY.check(query, version);
  const limit = schemaLimit(query, maxLimit);
  const window = changesWindow(query, dates);
  const marker = single(query, 'marker');
  return {
    limit,
    ...(marker !== undefined ? { marker } : {}),
    ...window,
  };
}

/** One page of the actions (newest first): after the marker, within the dates, cut at limit. */
export function pageOfActions(
  actions: readonly InstanceActionRecord[],
  query: ActionListQuery,
): InstanceActionRecord[] {
  let rest = actions;
  if (query.marker !== undefined) {
    const at = actions.findIndex((a) => a.request_id === query.marker);
    if (at < 0) {
      throw new Invalid(`Marker ${query.marker} could not be found.`);
    }
    rest = actions.slice(at + 1);
  }
  const since = query.changesSince?.getTime();
  const before = query.changesBefore?.getTime();
  return rest
    .filter((a) => {
      const updated = a.updated_at?.getTime();
      return (
        (since === undefined || (updated !== undefined && updated >= since)) &&
        (before === undefined || (updated !== undefined && updated <= before))
      );
    })
    .slice(0, query.limit);
}
