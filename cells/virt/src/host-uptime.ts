/**
 * A host's uptime line as Linux `uptime` prints it (what Nova's drivers return
 * for os-hypervisors uptime), e.g.
 * `" 08:32:11 up 93 days, 18:25,  12 users,  load average: 0.20, 0.12, 0.14"`.
 */
export function formatUptime(
  now: Date,
  upSeconds: number,
  users: number,
  load: readonly [number, number, number],
): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  const minutesUp = Math.floor(Math.max(0, upSeconds) / 60);
  const days = Math.floor(minutesUp / 1440);
  const hours = Math.floor((minutesUp % 1440) / 60);
  const minutes = minutesUp % 60;
  const dayPart = days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : '';
  const timePart =
    hours > 0 ? `${String(hours).padStart(2, ' ')}:${two(minutes)}` : `${minutes} min`;
  const userPart = `${users} user${users === 1 ? '' : 's'}`;
  const loads = load.map((l) => l.toFixed(2)).join(', ');
  return ` ${clock} up ${dayPart}${timePart},  ${userPart},  load average: ${loads}`;
}
