import { ApiVersion } from '../../http/api-version';
import { usageQuery, usageTime } from './usage-query';

describe('usage query', () => {
  const now = new Date('2026-06-01T00:00:00Z');

  it("reads Nova's three datetime forms as UTC", () => {
    expect(usageTime('2026-01-02T03:04:05', now).toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(usageTime('2026-1-2T3:04:05.5', now).toISOString()).toBe('2026-01-02T03:04:05.500Z');
    expect(usageTime('2026-01-02 03:04:05.123456', now).toISOString()).toBe(
      '2026-01-02T03:04:05.123Z',
    );
    expect(usageTime(undefined, now)).toBe(now);
  });

  it('refuses anything else, and dates that do not exist', () => {
    for (const bad of ['2026-01-02', '2026-01-02T03:04:05Z', '2026-02-30T00:00:00', 'x']) {
      expect(() => usageTime(bad, now)).toThrow('Datetime is in invalid format');
    }
  });

  it('takes the first start/end, pages from 2.40 only, and clamps the end to now', () => {
    const v21 = usageQuery(
      { start: ['2026-01-01T00:00:00', 'x'], end: '2999-01-01T00:00:00', limit: '1' },
      ApiVersion.parse('2.1'),
      1000,
      { index: true },
    );
    expect(v21.limit).toBe(1000);
    expect(v21.links).toBe(false);
    expect(v21.stop.getTime()).toBeLessThanOrEqual(Date.now() + 1);
    const v240 = usageQuery(
      { start: '2026-01-01T00:00:00', limit: '5', marker: 'm', detailed: '1' },
      ApiVersion.parse('2.40'),
      1000,
      { index: true },
    );
    expect(v240).toMatchObject({ limit: 5, marker: 'm', detailed: true, links: true });
  });
});
