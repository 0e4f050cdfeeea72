import Redis, { type RedisOptions } from 'ioredis';
import { getLogger } from '@nova/logging';
import type { CacheBackend } from './cache-backend';

export interface RedisCacheOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  /** Milliseconds before a command is abandoned. */
  commandTimeoutMs: number;
  /** Prepended to keys and channels (`nova:`), so deployments/tests can share a server. */
  prefix: string;
}

const log = getLogger('cache.redis');

/**
 * Redis through ioredis, tuned to fail fast: no offline queue and a command
 * timeout, so an outage turns into cache misses within milliseconds instead of
 * stalled requests. One outage is logged once, and its end once.
 */
export class RedisCache implements CacheBackend {
  readonly shared = true;
  private readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private readonly reconnectHandlers: Array<() => void> = [];
  private down = false;
  private everReady = false;

  constructor(private readonly options: RedisCacheOptions) {
    const base: RedisOptions = {
      host: options.host,
      port: options.port,
      db: options.db,
      ...(options.username ? { username: options.username } : {}),
      ...(options.password ? { password: options.password } : {}),
      connectTimeout: Math.max(options.commandTimeoutMs, 500),
      retryStrategy: (times) => Math.min(times * 200, 2000),
      lazyConnect: false,
    };
    this.client = new Redis({
      ...base,
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs,
      maxRetriesPerRequest: 0,
    });
    this.subscriber = new Redis({ ...base, enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.client.on('error', (err: Error) => this.markDown(err));
    this.subscriber.on('error', () => undefined); // reported through the client
    this.client.on('ready', () => this.markUp());
    this.subscriber.on('message', (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) {
        handler(message);
      }
    });
  }

  /**
   * Wait until connected, at most `timeoutMs` (start-up: so the first requests do
   * not all miss). Resolves false when Redis is not there; the cache then keeps
   * trying in the background.
   */
  async waitReady(timeoutMs: number): Promise<boolean> {
    if (this.client.status === 'ready') {
      return true;
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.client.once('ready', onReady);
    });
  }

  private key(key: string): string {
    return `${this.options.prefix}:${key}`;
  }

  private markDown(err: Error): void {
    if (!this.down) {
      this.down = true;
      log.warn(
        { err: err.message },
        'Redis is unreachable; serving from the database until it is back',
      );
    }
  }

  private markUp(): void {
    const wasDown = this.down;
    this.down = false;
    if (wasDown) {
      log.info({}, 'Redis is reachable again');
    }
    if (wasDown || this.everReady) {
      this.reconnectHandlers.forEach((h) => h());
    }
    this.everReady = true;
  }

  async get(key: string): Promise<string | null> {
    return this.client.get(this.key(key));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.client.set(this.key(key), value, 'PX', Math.max(1, Math.round(ttlSeconds * 1000)));
  }

  async del(...keys: string[]): Promise<void> {
    if (keys.length > 0) {
      await this.client.del(...keys.map((k) => this.key(k)));
    }
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.key(channel), message);
  }

  async subscribe(
    channel: string,
    handler: (message: string) => void,
  ): Promise<() => Promise<void>> {
    const name = this.key(channel);
    const set = this.handlers.get(name) ?? new Set();
    set.add(handler);
    this.handlers.set(name, set);
    // Not awaited: with Redis down the SUBSCRIBE waits in the offline queue and
    // ioredis re-subscribes after every reconnect.
    this.subscriber.subscribe(name).catch((err: Error) => this.markDown(err));
    return () => {
      set.delete(handler);
      if (set.size === 0) {
        this.handlers.delete(name);
        // Not awaited: with Redis down it would wait in the offline queue forever.
        this.subscriber.unsubscribe(name).catch(() => undefined);
      }
      return Promise.resolve();
    };
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  async close(): Promise<void> {
    this.client.disconnect();
    this.subscriber.disconnect();
    return Promise.resolve();
  }
}
