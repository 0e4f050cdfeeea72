/** Thrown with dateutil's wording, which Nova prints after "Invalid value for --before: ". */
export class InvalidDateArgument extends Error {}

const ISO =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Zone names V8 understands; dateutil ignores the ones it does not know (the time stays naive). */
const KNOWN_ZONES = new Set([
  'UT',
  'UTC',
  'GMT',
  'Z',
  'EST',
  'EDT',
  'CST',
  'CDT',
  'MST',
  'MDT',
  'PST',
  'PDT',
]);

/**
 * A date given on the command line, as Nova's `--before` takes it (dateutil's
 * parser): `YYYY-MM-DD [HH:mm[:ss]]` or what `date` prints. A time without a
 * zone is UTC, like the naive UTC times Nova compares it with.
 */
export function parseDateArgument(text: string): Date {
  const trimmed = text.trim();
  const iso = ISO.exec(trimmed);
  if (iso) {
    return fromIso(trimmed, iso);
  }
  const cleaned = trimmed
    .replace(/\b[A-Z]{3,5}\b/g, (zone) => (KNOWN_ZONES.has(zone) ? zone : ''))
    .replace(/\s+/g, ' ')
    .trim();
  const zoned = /\b(UTC?|GMT|[ECMP][SD]T|Z)\b|[+-]\d{4}\b/.test(cleaned);
  const date = cleaned === '' ? new Date(NaN) : new Date(zoned ? cleaned : `${cleaned} UTC`);
  if (Number.isNaN(date.getTime())) {
    throw new InvalidDateArgument(`String does not contain a date: ${text}`);
  }
  return date;
}

function fromIso(text: string, m: RegExpExecArray): Date {
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  if (month < 1 || month > 12) {
    throw new InvalidDateArgument(`month must be in 1..12: ${text}`);
  }
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) {
    throw new InvalidDateArgument(`day is out of range for month: ${text}`);
  }
  if (hour > 23 || minute > 59 || second > 59) {
    throw new InvalidDateArgument(`String does not contain a date: ${text}`);
  }
  const millis = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  let utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    utc -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return new Date(utc);
}
