import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import type { CacheBackend } from './cache-backend';

/** In-process cache (embedded default): bounded, TTL-based, pub/sub within this process only. */
export class MemoryCache implements CacheBackend {
  readonly shared = false;
  private readonly store: LRUCache<string, string>;
  private readonly bus = new EventEmitter();

  constructor(maxEntries = 100_000) {
    this.store = new LRUCache<string, string>({ max: maxEntries, ttlAutopurge: false });
    this.bus.setMaxListeners(0);
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.store.get(key) ?? null);
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.store.set(key, value, { ttl: Math.max(1, Math.round(ttlSeconds * 1000)) });
    return Promise.resolve();
  }

  del(...keys: string[]): Promise<void> {
    for (const key of keys) {
      this.store.delete(key);
    }
    return Promise.resolve();
  }

  publish(channel: string, message: string): Promise<void> {
    this.bus.emit(channel, message);
    return Promise.resolve();
  }

  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    this.bus.on(channel, handler);
    return Promise.resolve(() => {
      this.bus.off(channel, handler);
      return Promise.resolve();
    });
  }

  onReconnect(): void {
    // never disconnects
  }

  close(): Promise<void> {
    this.store.clear();
    this.bus.removeAllListeners();
    return Promise.resolve();
  }
}
