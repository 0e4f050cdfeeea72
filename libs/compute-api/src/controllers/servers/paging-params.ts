import { Invalid } from '@nova/common';
import { pyRepr } from '../../http/py-repr';
import { single, type Query } from '../../http/query';
import { parseIsoTime } from './list-query-time';

/**
 * `limit` as Nova's JSON-schema query validation checks it (digits only, its
 * messages), capped at `[api] max_limit`; the cap when absent.
 */
export function schemaLimit(query: Query, maxLimit: number): number {
  const text = single(query, 'limit');
  if (text === undefined) {
    return maxLimit;
  }
  if (!/^[0-9]+$/.test(text)) {
    const reason = text === '' ? 'is too short' : "does not match '^[0-9]*$'";
    throw new Invalid(
      `Invalid input for query parameters limit. Value: ${text}. ${pyRepr(text)} ${reason}`,
    );
  }
  return Math.min(Number(text), maxLimit);
}

/**
 * `changes-since` and `changes-before` (each a 'date-time', the second not
 * earlier than the first), as Nova's list schemas validate them.
 */
export function changesWindow(
  query: Query,
  names: readonly string[],
): { changesSince?: Date; changesBefore?: Date } {
  const [since, before] = ['changes-since', 'changes-before'].map((name) => {
    const text = names.includes(name) ? single(query, name) : undefined;
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
  return {
    ...(since ? { changesSince: since } : {}),
    ...(before ? { changesBefore: before } : {}),
  };
}
