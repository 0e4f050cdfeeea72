import { Invalid, type RequestContext } from '@nova/common';
import { getLogger, runWithLogContext } from '@nova/logging';
import { fromWireContext, type RpcEnvelope } from './envelope';
import { meteredHandler } from './rpc-metrics';
import { isCompatibleRpcVersion, isRpcVersion, UnsupportedVersion } from './rpc-version';
import type { RpcHandler } from './transport';

/** One RPC method: the caller's context and the message's arguments. */
export type RpcMethod = (ctx: RequestContext, args: never) => Promise<unknown>;

export class UnsupportedRpcMethod extends Invalid {}

const log = getLogger('rpc');

export interface DispatcherOptions {
  /**
   * The RPC API version this endpoint speaks: a message of another major or a
   * newer minor is refused with UnsupportedVersion before its method runs (an
   * older minor is fine: minors only add). Unset, versions are not checked
   * (test doubles).
   */
  readonly version?: string;
}

/**
 * A transport handler that routes each envelope to its method by name, with the
 * caller's context restored (and its request ids in every log line).
 */
export function dispatcher(
  methods: Readonly<Record<string, RpcMethod>>,
  options: DispatcherOptions = {},
): RpcHandler {
  const speaks = options.version;
  return (message: RpcEnvelope) => {
    if (
      speaks !== undefined &&
      !(isRpcVersion(String(message.version)) && isCompatibleRpcVersion(speaks, message.version))
    ) {
      log.warn(
        { method: message.method, version: message.version, speaks },
        'refused a message of an RPC version this endpoint does not speak',
      );
      return Promise.reject(
        new UnsupportedVersion(
          `Endpoint does not support RPC version ${String(message.version)}. Attempted method: ${message.method}`,
          { version: message.version, method: message.method, speaks },
        ),
      );
    }
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
