import type { Limits, QuotaResource } from '@nova/quota';
import type { QuotaValues } from '../../dto/quota.dto';
import type { ApiVersion } from '../../http/api-version';
import { all, type Query } from '../../http/query';
import { QuerySchema } from '../../http/query-schema';

export const QUOTA_QUERY = new QuerySchema([{ name: 'user_id' }]);

/**
 * The `user_id` of an os-quota-sets request: the first value, as Nova's
 * parse_qs reads it, and none when blank. Other parameters are ignored until
 * 2.75 and rejected from it.
 */
export function quotaUserId(query: Query, version: ApiVersion): string | undefined {
  QUOTA_QUERY.check(query, version);
  const first = all(query, 'user_id')[0];
  return first === undefined || first === '' ? undefined : first;
}

/** The limits of a validated quota body, as numbers (digit strings are allowed). */
export function limitsFrom(values: QuotaValues): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const [resource, value] of Object.entries(values)) {
    if (value !== undefined) {
      out[resource as QuotaResource] = Number(value);
    }
  }
  return out;
}
