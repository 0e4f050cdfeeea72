import { Invalid } from '@nova/common';
import { single, type Query } from '../../http/query';

/**
 * Nova's common.limited for the old proxy lists: `offset` and `limit` as
 * integers >= 0 (400 otherwise), a limit of 0 or above `[api] max_limit` is
 * max_limit.
 */
export function limited<T>(items: readonly T[], query: Query, maxLimit: number): T[] {
  const offset = intParam(query, 'offset') ?? 0;
  const limit = Math.min(maxLimit, intParam(query, 'limit') || maxLimit);
  return items.slice(offset, offset + limit);
}

function intParam(query: Query, name: string): number | undefined {
  const value = single(query, name);
  if (value === undefined) {
    return undefined;
  }
  if (!/^\s*[+-]?\d+\s*$/.test(value)) {
    throw new Invalid(`Invalid input received: ${name} must be an integer`);
  }
  const n = Number.parseInt(value, 10);
  if (n < 0) {
    throw new Invalid(`Invalid input received: ${name} must be >= 0`);
  }
  return n;
}
