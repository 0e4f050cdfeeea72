import { getLogger } from '@nova/logging';
import type { CacheBackend } from './cache-backend';
import { openRedis, type RedisConnectOptions, type RedisConnection } from './redis-topology';
import { watchSwitchMaster } from './sentinel-watch';

export interface RedisCacheOptions extends RedisConnectOptions {
  /** Prepended to keys and channels (`nova:`), so deployments/tests can share a server. */
  prefix: string;
}

const log = getLogger('cache.redis');

/**
 * Redis through ioredis (one server, Sentinel or Cluster), tuned to fail fast: no
 * offline queue and a command timeout, so an outage or a failover turns into cache
 * misses within milliseconds instead of stalled requests. One outage is logged
 * once, and its end once.
 */
export class RedisCache implements CacheBackend {
  readonly shared = true;
  private readonly client: RedisConnection;
  private readonly subscriber: RedisConnection;
  private readonly cluster: boolean;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private readonly reconnectHandlers: Array<() => void> = [];
  private readonly stopWatch: () => void = () => undefined;
  private down = false;
  private everReady = false;

  constructor(private readonly options: RedisCacheOptions) {
    this.cluster = options.topology.kind === 'cluster';
    this.client = openRedis(options, 'commands');
    this.subscriber = openRedis(options, 'subscriber');
    this.client.on('error', (err: Error) => this.markDown(err));
    // A cluster reports a lost node here; its 'error' only when no node answers.
    this.client.on('node error', (err: Error) => this.markDown(err));
    this.subscriber.on('error', () => undefined); // reported through the client
    this.subscriber.on('node error', () => undefined);
    this.client.on('ready', () => this.markUp());
    const t = options.topology;
    if (t.kind === 'sentinel') {
      // Leave the old master as soon as the sentinels name a new one. A connection
      // that is not ready is reconnecting already: it will ask the sentinels anyway
      // (and interrupting a connect in progress would end it for good).
      this.stopWatch = watchSwitchMaster(t, () => {
        for (const connection of [this.client, this.subscriber]) {
          if (connection.status === 'ready') {
            connection.disconnect(true);
          }
        }
      });
    }
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

  /**
   * The command timeout also bounds what ioredis retries on its own (a cluster
   * follows MOVED and refreshes slots during a failover): a miss, not a stall.
   */
  private bounded<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('Redis command timed out')),
        this.options.commandTimeoutMs,
      );
    });
    return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
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
    return this.bounded(this.client.get(this.key(key)));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const ttlMs = Math.max(1, Math.round(ttlSeconds * 1000));
    await this.bounded(this.client.set(this.key(key), value, 'PX', ttlMs));
  }

  async del(...keys: string[]): Promise<void> {
    const names = keys.map((k) => this.key(k));
    if (names.length === 0) {
      return;
    }
    if (this.cluster) {
      // Keys live in different slots (nodes): one DEL each, a multi-key DEL is CROSSSLOT.
      await this.bounded(Promise.all(names.map((name) => this.client.del(name))));
    } else {
      await this.bounded(this.client.del(...names));
    }
  }

  /** In a cluster PUBLISH reaches every node's subscribers (the cluster bus relays it). */
  async publish(channel: string, message: string): Promise<void> {
    await this.bounded(this.client.publish(this.key(channel), message));
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

  /** Disconnects both connections; resolves once their sockets are closed (at most 1 s). */
  async close(): Promise<void> {
    this.stopWatch();
    await Promise.all([this.client, this.subscriber].map(disconnected));
  }
}

function disconnected(connection: RedisConnection): Promise<void> {
  if (connection.status === 'end') {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    connection.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
    connection.disconnect();
  });
}
