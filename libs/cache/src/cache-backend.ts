/**
 * A key-value cache with pub/sub. Redis in production; an in-process stand-in for
 * the embedded default. It is an accelerator only: callers must treat every
 * failure as a miss and go to the database.
 */
export interface CacheBackend {
  /** True when other processes see our keys and messages (Redis). */
  readonly shared: boolean;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  publish(channel: string, message: string): Promise<void>;
  /** Deliver messages on `channel` to `handler`; returns an unsubscribe function. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** Called after the backend comes back from an outage (messages may have been missed). */
  onReconnect(handler: () => void): void;
  close(): Promise<void>;
}

export const CACHE_BACKEND = Symbol('CACHE_BACKEND');
