import { AsyncLocalStorage } from 'node:async_hooks';

/** Ids stamped on every log line written while handling one request or message. */
export interface LogContext {
  readonly requestId?: string;
  readonly globalRequestId?: string;
  readonly cell?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export function runWithLogContext<T>(ctx: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...ctx }, fn);
}

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
