import { Invalid } from '@nova/common';
import type { ApiVersion } from '../../http/api-version';
import { pageOf, type Query } from '../../http/query';
import { LIMIT, QuerySchema, type QueryParam } from '../../http/query-schema';

/** Nova's accepted forms: `%Y-%m-%dT%H:%M:%S`, with `.%f`, or `%Y-%m-%d %H:%M:%S.%f`; naive is UTC. */
const FORMS = [
  /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})()$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})$/,
];

export class InvalidStrTime extends Invalid {
  constructor() {
    super('Invalid datetime string: Datetime is in invalid format');
  }
}

/** A `start`/`end` value; none is now. */
export function usageTime(text: string | undefined, now: Date): Date {
  if (!text) {
    return now;
  }
  for (const form of FORMS) {
    const m = form.exec(text);
    if (!m) {
      continue;
    }
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const ms = Math.floor(Number((m[7] ?? '').padEnd(6, '0') || '0') / 1000);
    const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
    // strptime refuses what does not exist (Feb 30, 25:00): no rolling over.
    if (
      date.getUTCFullYear() === year &&
      date.getUTCMonth() === month - 1 &&
      date.getUTCDate() === day &&
      hour < 24 &&
      minute < 60 &&
      second < 60
    ) {
      return date;
    }
  }
  throw new InvalidStrTime();
}

/** The first value of a query parameter (Nova reads parse_qs(...)[name][0]). */
function first(query: Query, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface UsageQuery {
  readonly start: Date;
  /** The end, never later than now. */
  readonly stop: Date;
  readonly detailed: boolean;
  readonly limit: number;
  readonly marker?: string;
  /** Paging links are answered (2.40). */
  readonly links: boolean;
}

// Nova takes a few spellings of ISO 8601 here, not only RFC 3339's date-time.
const TIME = { type: 'string', description: 'an ISO 8601 time' };
const WINDOW: QueryParam[] = [
  { name: 'start', schema: TIME },
  { name: 'end', schema: TIME },
];
const PAGE: QueryParam[] = [
  { name: 'limit', since: '2.40', schema: LIMIT },
  { name: 'marker', since: '2.40' },
];

export const USAGE_INDEX_QUERY = new QuerySchema([
  ...WINDOW,
  { name: 'detailed', schema: { type: 'string', enum: ['0', '1'] } },
  ...PAGE,
]);
export const USAGE_SHOW_QUERY = new QuerySchema([...WINDOW, ...PAGE]);

/**
 * `start`, `end` (start must come first), `detailed=1` (index only), from 2.40
 * `limit`/`marker` (else at most `[api] max_limit` servers), unknown
 * parameters refused from 2.75.
 */
export function usageQuery(
  query: Query,
  version: ApiVersion,
  maxLimit: number,
  options: { index: boolean },
): UsageQuery {
  const paged = version.atLeast('2.40');
  (options.index ? USAGE_INDEX_QUERY : USAGE_SHOW_QUERY).check(query, version);
  // Nova reads the clock for each missing bound, so a missing end comes after a missing start.
  const now = new Date();
  const later = new Date(now.getTime() + 1);
  const start = usageTime(first(query, 'start'), now);
  const end = usageTime(first(query, 'end'), later);
  if (!(start < end)) {
    throw new Invalid('Invalid start time. The start time cannot occur after the end time.');
  }
  const page = paged ? pageOf(query, maxLimit) : { limit: maxLimit };
  return {
    start,
    stop: end > later ? later : end,
    detailed: options.index && first(query, 'detailed') === '1',
    limit: page.limit,
    ...('marker' in page && page.marker !== undefined ? { marker: page.marker } : {}),
    links: paged,
  };
}
