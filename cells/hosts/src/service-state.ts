import type { Service } from '@nova/cells/db';

type Heartbeat = Pick<Service, 'forced_down' | 'last_seen_up' | 'updated_at' | 'created_at'>;

/**
 * Nova's database service group: a service is up when its last heartbeat
 * (last_seen_up, else updated_at, else created_at) is at most `downTimeSeconds`
 * old, unless an operator forced it down.
 */
export function isServiceUp(
  service: Heartbeat,
  downTimeSeconds: number,
  now = Date.now(),
): boolean {
  if (service.forced_down) {
    return false;
  }
  const heartbeat = service.last_seen_up ?? service.updated_at ?? service.created_at;
  if (!heartbeat) {
    return false;
  }
  return Math.abs(now - new Date(heartbeat).getTime()) <= downTimeSeconds * 1000;
}

export { instanceName } from '@nova/cells/db';
