import type { RequestContext } from '@nova/common';
import { Invalid } from '@nova/common';
import type { KeypairPage } from '@nova/keypairs';
import type { ApiVersion } from '../../http/api-version';
import { all, pageOf, single, type Query } from '../../http/query';
import { LIMIT, QuerySchema } from '../../http/query-schema';

// Nova's schemas know user_id, limit and marker at every version; they count from 2.10 and 2.35.
export const KEYPAIR_LIST_QUERY = new QuerySchema([
  { name: 'user_id' },
  { name: 'limit', schema: LIMIT },
  { name: 'marker' },
]);
export const KEYPAIR_ITEM_QUERY = new QuerySchema([{ name: 'user_id' }]);

/**
 * Whose keypairs a request is about: from 2.10 the first `user_id` query value
 * (admins only, by policy), otherwise (or when empty) the caller's own.
 */
export function keypairOwner(ctx: RequestContext, query: Query, version: ApiVersion): string {
  const requested = version.atLeast('2.10') ? all(query, 'user_id')[0] : undefined;
  return requested || (ctx.userId ?? '');
}

/** GET /os-keypairs: `limit` and `marker` from 2.35 (unpaged before), strict from 2.75. */
export function keypairListQuery(
  query: Query,
  version: ApiVersion,
  maxLimit: number,
): KeypairPage | undefined {
  KEYPAIR_LIST_QUERY.check(query, version);
  if (!version.atLeast('2.35')) {
    return undefined;
  }
  for (const limit of all(query, 'limit')) {
    if (!/^[0-9]+$/.test(limit)) {
      throw new Invalid(
        `Invalid input for query parameters limit. Value: ${limit}. '${limit}' ${limit === '' ? 'is too short' : "does not match '^[0-9]*$'"}`,
      );
    }
  }
  const page = pageOf(query, maxLimit);
  const marker = single(query, 'marker');
  return marker === undefined ? { limit: page.limit } : { limit: page.limit, marker };
}

/** GET and DELETE /os-keypairs/{name}: only `user_id`, strict from 2.75. */
export function checkKeypairItemQuery(query: Query, version: ApiVersion): void {
  KEYPAIR_ITEM_QUERY.check(query, version);
}
