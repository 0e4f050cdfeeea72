import Redis from 'ioredis';
import type { HostPort } from './redis-topology';

export interface SentinelWatchOptions {
  sentinels: HostPort[];
  serviceName: string;
  sentinelUsername?: string;
  sentinelPassword?: string;
}

/**
 * Listens to every sentinel for `+switch-master` of our service and calls
 * `onSwitch` once per new master. A planned switchover (or a partition) leaves the
 * old master up and writable for a while; without this, clients keep writing
 * there and the writes vanish when it is turned into a replica.
 */
export function watchSwitchMaster(options: SentinelWatchOptions, onSwitch: () => void): () => void {
  let lastMaster = '';
  const watchers = options.sentinels.map((sentinel) => {
    const watcher = new Redis({
      ...sentinel,
      ...(options.sentinelUsername ? { username: options.sentinelUsername } : {}),
      ...(options.sentinelPassword ? { password: options.sentinelPassword } : {}),
      retryStrategy: (times) => Math.min(times * 200, 2000),
      maxRetriesPerRequest: null,
    });
    watcher.on('error', () => undefined); // the cache's own connections report outages
    watcher.subscribe('+switch-master').catch(() => undefined);
    watcher.on('message', (_channel: string, message: string) => {
      // "<name> <old ip> <old port> <new ip> <new port>"; each sentinel tells it once.
      const [name, , , ip, port] = message.split(' ');
      if (name === options.serviceName && `${ip}:${port}` !== lastMaster) {
        lastMaster = `${ip}:${port}`;
        onSwitch();
      }
    });
    return watcher;
  });
  return () => watchers.forEach((w) => w.disconnect());
}
