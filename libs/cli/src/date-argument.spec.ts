import { InvalidDateArgument, parseDateArgument } from './date-argument';

describe('parseDateArgument (--before)', () => {
  it.each([
    ['2024-06-04', '2024-06-04T00:00:00.000Z'],
    ['2024-06-04 10:23', '2024-06-04T10:23:00.000Z'],
    ['2024-06-04 10:23:11', '2024-06-04T10:23:11.000Z'],
    ['2024-06-04T10:23:11.5', '2024-06-04T10:23:11.500Z'],
    ['2024-06-04 10:23:11+02:00', '2024-06-04T08:23:11.000Z'],
    ['Tue Jun  4 10:23:11 UTC 2024', '2024-06-04T10:23:11.000Z'],
    ['Tue 04 Jun 2024 10:23:11 AM UTC', '2024-06-04T10:23:11.000Z'],
    // dateutil ignores a zone it does not know: the time is taken as it is (UTC here).
    ['Tue Jun  4 10:23:11 CEST 2024', '2024-06-04T10:23:11.000Z'],
    ['June 4 2024', '2024-06-04T00:00:00.000Z'],
  ])('reads %j', (text, iso) => {
    expect(parseDateArgument(text).toISOString()).toBe(iso);
  });

  it.each([
    ['yesterday', 'String does not contain a date: yesterday'],
    ['', 'String does not contain a date: '],
    ['2024-13-01', 'month must be in 1..12: 2024-13-01'],
    ['2023-02-29', 'day is out of range for month: 2023-02-29'],
  ])('refuses %j with dateutil wording', (text, message) => {
    expect(() => parseDateArgument(text)).toThrow(new InvalidDateArgument(message));
  });
});
