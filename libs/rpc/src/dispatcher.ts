import { Invalid, type RequestContext } from '@nova/common';
import { getLogger, runWithLogContext } from '@nova/logging';
import { fromWireContext, type RpcEnvelope } from './envelope';
import { meteredHandler } from './rpc-metrics';
import type { RpcHandler } from './transport';

/** One RPC method: the caller's context and the message's arguments. */
export type RpcMethod = (ctx: RequestContext, args: never) => Promise<unknown>;

export class UnsupportedRpcMethod extends Invalid {}

const log = getLogger('rpc');

/**
 * A transport handler that routes each envelope to its method by name, with the
 * caller's context restored (and its request ids in every log line).
 */
export function dispatcher(methods: Readonly<Record<string, RpcMethod>>): RpcHandler {
  return (message: RpcEnvelope) => {
    const method = Object.hasOwn(methods, message.method) ? methods[message.method] : undefined;
    if (!method) {
      return Promise.reject(
        new UnsupportedRpcMethod(`Endpoint does not support ${message.method}`),
      );
    }
    const ctx = fromWireContext(message.context);
    return runWithLogContext(
      {
        requestId: ctx.requestId,
        ...(ctx.globalRequestId ? { globalRequestId: ctx.globalRequestId } : {}),
      },
      () =>
        meteredHandler(message.method, '', async () => {
          const started = performance.now();
          try {
            return await method(ctx, message.args as never);
          } finally {
            log.debug(
              { method: message.method, ms: Math.round((performance.now() - started) * 10) / 10 },
              'rpc method handled',
            );
          }
        }),
    );
  };
}
