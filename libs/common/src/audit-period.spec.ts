import { lastCompletedAuditPeriod, parseAuditPeriod, pyDateTime } from './audit-period';

const period = (spec: string, before: string) => {
  const p = lastCompletedAuditPeriod(spec, new Date(before));
  return [pyDateTime(p.begin), pyDateTime(p.end)];
};

describe('usage audit periods', () => {
  it('a month is the previous calendar month by default', () => {
    expect(period('month', '2026-12-06T04:00:00Z')).toEqual([
      '2026-11-01 00:00:00',
      '2026-12-01 00:00:00',
    ]);
    expect(period('month', '2026-01-15T00:00:00Z')).toEqual([
      '2025-12-01 00:00:00',
      '2026-01-01 00:00:00',
    ]);
  });

  it('an offset moves the start of the period', () => {
    expect(period('month@15', '2026-12-06T04:00:00Z')).toEqual([
      '2026-10-15 00:00:00',
      '2026-11-15 00:00:00',
    ]);
    expect(period('day@6', '2026-12-06T04:00:00Z')).toEqual([
      '2026-12-04 06:00:00',
      '2026-12-05 06:00:00',
    ]);
    expect(period('hour@30', '2026-12-06T04:10:00Z')).toEqual([
      '2026-12-06 02:30:00',
      '2026-12-06 03:30:00',
    ]);
    expect(period('year@4', '2026-12-06T04:00:00Z')).toEqual([
      '2025-04-01 00:00:00',
      '2026-04-01 00:00:00',
    ]);
  });

  it('a boundary itself ends the period before it', () => {
    expect(period('day', '2026-12-06T00:00:00Z')).toEqual([
      '2026-12-05 00:00:00',
      '2026-12-06 00:00:00',
    ]);
    expect(period('year', '2026-12-06T00:00:00Z')).toEqual([
      '2025-01-01 00:00:00',
      '2026-01-01 00:00:00',
    ]);
  });

  it('refuses what Nova would not parse', () => {
    expect(() => parseAuditPeriod('week')).toThrow(/invalid audit period/);
    expect(() => parseAuditPeriod('month@x')).toThrow(/offset/);
    expect(parseAuditPeriod('hour')).toEqual({ unit: 'hour', offset: 0 });
  });
});
