import { describeError, NovaError } from '@nova/common';
import type { WireError } from './envelope';

/** A call got no reply within its timeout (Nova's MessagingTimeout). */
export class MessagingTimeout extends NovaError {
  readonly code = 504;
}

/** An error raised on the other side whose class is not on the allow-list. */
export class RemoteError extends NovaError {
  constructor(
    readonly remoteName: string,
    readonly code: number,
    message: string,
    kwargs: Record<string, unknown> = {},
  ) {
    super(`Remote error: ${remoteName} ${message}`, kwargs);
  }
}

type NovaErrorClass = new (message: string, kwargs?: Record<string, unknown>) => NovaError;

/**
 * Error classes that may be re-created from the wire (Nova's allowed_exmods):
 * only these come back as themselves; anything else is a RemoteError.
 */
const ALLOWED = new Map<string, NovaErrorClass>();

export function allowRemoteErrors(...classes: NovaErrorClass[]): void {
  for (const cls of classes) {
    ALLOWED.set(cls.name, cls);
  }
}

export function toWireError(err: unknown): WireError {
  if (err instanceof NovaError) {
    return { name: err.name, code: err.code, message: err.message, kwargs: err.kwargs };
  }
  return {
    name: (err as { name?: string } | null)?.name ?? 'Error',
    code: 500,
    message: describeError(err),
    kwargs: {},
  };
}

export function fromWireError(wire: WireError): NovaError {
  const cls = ALLOWED.get(wire.name);
  if (!cls) {
    return new RemoteError(wire.name, wire.code, wire.message, wire.kwargs);
  }
  // Built from the prototype: domain errors take domain arguments, not a message.
  const error = Object.create(cls.prototype as object) as NovaError;
  const stack = new Error(wire.message).stack;
  for (const [key, value] of Object.entries({
    name: wire.name,
    message: wire.message,
    kwargs: wire.kwargs,
    code: wire.code,
    stack,
  })) {
    Object.defineProperty(error, key, {
      value,
      enumerable: key !== 'stack',
      writable: true,
      configurable: true,
    });
  }
  return error;
}
