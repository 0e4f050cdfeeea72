/**
 * Nova's usage audit periods (`[DEFAULT] instance_usage_audit_period`):
 * `hour`, `day`, `month` or `year`, optionally `@offset` (the minute, hour, day
 * or month a period starts at; months and years start on day/month 1 by
 * default). All in UTC, as Nova's.
 */
export interface AuditPeriod {
  readonly begin: Date;
  readonly end: Date;
}

const UNITS = ['hour', 'day', 'month', 'year'] as const;
type Unit = (typeof UNITS)[number];

/** The spec's unit and offset; a malformed spec is an Error (a config error at start). */
export function parseAuditPeriod(spec: string): { unit: Unit; offset: number } {
  const [unit, offsetText, ...rest] = spec.trim().split('@');
  if (!UNITS.includes(unit as Unit) || rest.length > 0) {
    throw new Error(`invalid audit period '${spec}': hour, day, month or year, with @offset`);
  }
  const fallback = unit === 'month' || unit === 'year' ? 1 : 0;
  const offset = offsetText === undefined ? fallback : Number(offsetText);
  if (!Number.isInteger(offset) || offset < 0) {
    throw new Error(`invalid audit period offset in '${spec}'`);
  }
  return { unit: unit as Unit, offset };
}

/** The last period that ended at or before `before` (Nova's last_completed_audit_period). */
export function lastCompletedAuditPeriod(spec = 'month', before = new Date()): AuditPeriod {
  const { unit, offset } = parseAuditPeriod(spec);
  const y = before.getUTCFullYear();
  const mo = before.getUTCMonth();
  const d = before.getUTCDate();
  const h = before.getUTCHours();
  const at = (year: number, month: number, day: number, hour = 0, minute = 0) =>
    new Date(Date.UTC(year, month, day, hour, minute));
  let end: Date;
  let begin: Date;
  switch (unit) {
    case 'hour':
      end = at(y, mo, d, h, offset);
      if (end > before) {
        end = at(y, mo, d, h - 1, offset);
      }
      begin = new Date(end.getTime() - 3600_000);
      break;
    case 'day':
      end = at(y, mo, d, offset);
      if (end > before) {
        end = at(y, mo, d - 1, offset);
      }
      begin = new Date(end.getTime() - 86_400_000);
      break;
    case 'month':
      end = at(y, mo, offset);
      if (end > before) {
        end = at(y, mo - 1, offset);
      }
      begin = at(end.getUTCFullYear(), end.getUTCMonth() - 1, offset);
      break;
    case 'year':
      end = at(y, offset - 1, 1);
      if (end > before) {
        end = at(y - 1, offset - 1, 1);
      }
      begin = at(end.getUTCFullYear() - 1, offset - 1, 1);
      break;
  }
  return { begin, end };
}

/** Python's str(datetime) of a whole-second UTC time: `2026-11-01 00:00:00`. */
export function pyDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
