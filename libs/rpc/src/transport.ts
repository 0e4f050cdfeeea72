import type { RpcEnvelope, RpcTarget } from './envelope';

/** Handles one incoming message; its result (or error) is the reply to a call. */
export type RpcHandler = (message: RpcEnvelope) => Promise<unknown>;

export interface ServeOptions {
  /** Unacknowledged messages in flight per consumer (bounded work in progress). */
  readonly prefetch?: number;
}

/** A running consumer; stop() cancels it (messages not yet taken stay queued). */
export interface RpcConsumer {
  stop(): Promise<void>;
}

/**
 * A connection to one message broker (one cell's vhost, or the API level) with
 * Nova's messaging semantics: `cast` is fire-and-forget and persistent, `call`
 * waits for the reply (or times out), `serve` consumes a topic's shared queue,
 * the server's own queue and the topic's fanout, acknowledging each message
 * once its handler settled.
 */
export interface RpcTransport {
  readonly kind: 'amqp' | 'inproc' | 'none';
  /** Resolves once connected; rejects if not connected within `timeoutMs`. */
  connect(timeoutMs: number): Promise<void>;
  isConnected(): boolean;
  cast(target: RpcTarget, message: RpcEnvelope): Promise<void>;
  call(target: RpcTarget, message: RpcEnvelope, timeoutMs: number): Promise<unknown>;
  /**
   * Publish a notification (an oslo envelope, already serialized) under
   * `routingKey` on the control exchange, where a durable queue of that name
   * keeps it for consumers (oslo.messaging's notifier semantics).
   */
  notify(routingKey: string, body: string): Promise<void>;
  serve(
    target: { topic: string; server: string },
    handler: RpcHandler,
    options?: ServeOptions,
  ): Promise<RpcConsumer>;
  close(): Promise<void>;
}
