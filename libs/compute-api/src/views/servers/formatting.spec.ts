import { isoTime, usageTime } from './formatting';

describe('server time formatting', () => {
  // Dates across the fields' widths: single-digit months to the last millisecond of a year.
  const dates = [
    new Date(0),
    new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
    new Date(Date.UTC(2026, 11, 31, 23, 59, 59, 999)),
    new Date(Date.UTC(2026, 10, 21, 20, 7, 24, 40)),
    ...Array.from({ length: 2000 }, (_, i) => new Date(Date.UTC(2026, 11, 7) + i * 7_919_993)),
  ];

  it('isoTime prints toISOString to the second, with Z', () => {
    for (const d of dates) {
      expect(isoTime(d)).toBe(`${d.toISOString().slice(0, 19)}Z`);
    }
    expect(isoTime(new Date(Date.UTC(2026, 10, 21, 20, 7, 24)))).toBe('2026-11-21T20:07:24Z');
  });

  it('usageTime prints the milliseconds as microseconds, without a zone', () => {
    for (const d of dates) {
      expect(usageTime(d)).toBe(`${d.toISOString().slice(0, 23)}000`);
    }
    expect(usageTime(new Date(Date.UTC(2026, 10, 21, 20, 7, 24, 5)))).toBe(
      '2026-11-21T20:07:24.005000',
    );
    expect(usageTime(null)).toBeNull();
  });

  it('leaves years outside 1000-9999, and invalid dates, to toISOString', () => {
    const far = new Date(Date.UTC(12026, 0, 1));
    expect(isoTime(far)).toBe(`${far.toISOString().slice(0, 19)}Z`);
    const early = new Date(Date.UTC(999, 0, 1));
    expect(isoTime(early)).toBe(`${early.toISOString().slice(0, 19)}Z`);
    expect(() => isoTime(new Date(NaN))).toThrow(RangeError);
  });
});
