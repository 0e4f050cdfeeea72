import { formatUptime } from './host-uptime';

describe('formatUptime', () => {
  const at = new Date(2026, 0, 5, 8, 32, 11);

  it("prints Linux uptime's line (Nova's API sample)", () => {
    const seconds = (93 * 1440 + 18 * 60 + 25) * 60 + 7;
    expect(formatUptime(at, seconds, 12, [0.2, 0.12, 0.14])).toBe(
      ' 08:32:11 up 93 days, 18:25,  12 users,  load average: 0.20, 0.12, 0.14',
    );
  });

  it('counts minutes under an hour, one day and one user in the singular', () => {
    expect(formatUptime(at, 36 * 60, 1, [1, 0.5, 0])).toBe(
      ' 08:32:11 up 36 min,  1 user,  load average: 1.00, 0.50, 0.00',
    );
    expect(formatUptime(at, (1440 + 2 * 60 + 3) * 60, 0, [0, 0, 0])).toBe(
      ' 08:32:11 up 1 day,  2:03,  0 users,  load average: 0.00, 0.00, 0.00',
    );
  });
});
