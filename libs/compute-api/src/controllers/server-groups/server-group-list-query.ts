import { Invalid } from '@nova/common';
import type { ApiVersion } from '../../http/api-version';
import { all, single, type Query } from '../../http/query';
import { LIMIT, QuerySchema } from '../../http/query-schema';

export const SERVER_GROUP_LIST_QUERY = new QuerySchema([
  { name: 'all_projects' },
  { name: 'limit', schema: LIMIT },
  { name: 'offset', schema: { type: 'integer', minimum: 0 } },
]);

export interface ServerGroupListQuery {
  /** `all_projects` was given (any value: Nova only checks that it is there). */
  readonly allProjects: boolean;
  readonly limit: number;
  readonly offset: number;
}

/**
 * GET /os-server-groups query: `all_projects`, and `limit`/`offset` as
 * non-negative integers (every repeated value is checked, the last one counts).
 * A limit of 0 or above `[api] max_limit` means max_limit. Unknown parameters
 * are 400 from 2.75.
 */
export function serverGroupListQuery(
  query: Query,
  version: ApiVersion,
  maxLimit: number,
): ServerGroupListQuery {
  SERVER_GROUP_LIST_QUERY.check(query, version);
  const limit = nonNegative(query, 'limit');
  return {
    allProjects: query['all_projects'] !== undefined,
    limit: limit === undefined || limit === 0 ? maxLimit : Math.min(limit, maxLimit),
    offset: nonNegative(query, 'offset') ?? 0,
  };
}

function nonNegative(query: Query, name: string): number | undefined {
  for (const value of all(query, name)) {
    if (!/^[0-9]*$/.test(value) || value === '') {
      const why = value === '' ? "'' is too short" : `'${value}' does not match '^[0-9]*$'`;
      throw new Invalid(`Invalid input for query parameters ${name}. Value: ${value}. ${why}`);
    }
  }
  const last = single(query, name);
  return last === undefined ? undefined : Number(last);
}
