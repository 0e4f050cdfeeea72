import { Invalid } from '@nova/common';
import type { InstanceActionRecord } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { pyRepr } from '../../http/py-repr';
import { checkQueryKeys, single, type Query } from '../../http/query';
import { parseIsoTime } from './list-query-time';

/** GET /servers/{id}/os-instance-actions from 2.58: a page, filtered by updated_at. */
export interface ActionListQuery {
  readonly limit: number;
  readonly marker?: string;
  readonly changesSince?: Date;
  readonly changesBefore?: Date;
}

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
  const dates = ['changes-since', ...(version.atLeast('2.66') ? ['changes-before'] : [])];
  checkQueryKeys(query, ['limit', 'marker', ...dates], version, '2.58');
  const limitText = single(query, 'limit');
  if (limitText !== undefined && !/^[0-9]+$/.test(limitText)) {
    const reason = limitText === '' ? 'is too short' : "does not match '^[0-9]*$'";
    throw new Invalid(
      `Invalid input for query parameters limit. Value: ${limitText}. ${pyRepr(limitText)} ${reason}`,
    );
  }
  const [since, before] = dates.map((name) => {
    const text = single(query, name);
    if (text === undefined) {
      return undefined;
    }
    const parsed = parseIsoTime(text);
    if (parsed === null) {
      throw new Invalid(
        `Invalid input for query parameters ${name}. Value: ${text}. ${pyRepr(text)} is not a 'date-time'`,
      );
    }
    return parsed;
  });
  if (since && before && before < since) {
    throw new Invalid('The value of changes-since must be less than or equal to changes-before.');
  }
  const marker = single(query, 'marker');
  return {
    limit: Math.min(limitText === undefined ? maxLimit : Number(limitText), maxLimit),
    ...(marker !== undefined ? { marker } : {}),
    ...(since ? { changesSince: since } : {}),
    ...(before ? { changesBefore: before } : {}),
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
