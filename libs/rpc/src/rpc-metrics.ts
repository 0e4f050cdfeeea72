import {
  rpcCallDuration,
  rpcHandled,
  rpcHandlerDuration,
  rpcSent,
  rpcTimeouts,
  setRpcInFlightSource,
} from '@nova/metrics';
import { MessagingTimeout } from './rpc-errors';

/** One RPC in flight: a call waiting for its reply, or a message being handled. */
export interface RpcInFlight {
  readonly kind: 'call' | 'handler';
  readonly method: string;
  /** The routing key (calls) or the method's topic (handlers, when known). */
  readonly target: string;
  /** performance.now() when it started. */
  readonly since: number;
}

const inFlight = new Set<RpcInFlight>();
let calls = 0;

setRpcInFlightSource({ inFlight: () => ({ calls, handlers: inFlight.size - calls }) });

/** What this process is waiting on and working on (the Guru Meditation Report lists them). */
export function rpcInFlight(): readonly RpcInFlight[] {
  return [...inFlight];
}

/** A call's round trip: counted by outcome, timed, and listed while in flight. */
export async function meteredCall<T>(
  method: string,
  target: string,
  send: () => Promise<T>,
): Promise<T> {
  const entry: RpcInFlight = { kind: 'call', method, target, since: performance.now() };
  inFlight.add(entry);
  calls++;
  let outcome = 'ok';
  try {
    return await send();
  } catch (err) {
    outcome = err instanceof MessagingTimeout ? 'timeout' : 'error';
    if (outcome === 'timeout') {
      rpcTimeouts.inc({ method });
    }
    throw err;
  } finally {
    inFlight.delete(entry);
    calls--;
    rpcSent.inc({ kind: 'call', method, outcome });
    rpcCallDuration.observe({ method }, (performance.now() - entry.since) / 1000);
  }
}

/** A cast: counted once the broker took it (or refused it). */
export async function meteredCast(method: string, send: () => Promise<void>): Promise<void> {
  try {
    await send();
    rpcSent.inc({ kind: 'cast', method, outcome: 'ok' });
  } catch (err) {
    rpcSent.inc({ kind: 'cast', method, outcome: 'error' });
    throw err;
  }
}

/** Handling one incoming message: counted by outcome, timed, and listed while it runs. */
export async function meteredHandler<T>(
  method: string,
  target: string,
  handle: () => Promise<T>,
): Promise<T> {
  const entry: RpcInFlight = { kind: 'handler', method, target, since: performance.now() };
  inFlight.add(entry);
  let outcome = 'ok';
  try {
    return await handle();
  } catch (err) {
    outcome = 'error';
    throw err;
  } finally {
    inFlight.delete(entry);
    rpcHandled.inc({ method, outcome });
    rpcHandlerDuration.observe({ method }, (performance.now() - entry.since) / 1000);
  }
}
