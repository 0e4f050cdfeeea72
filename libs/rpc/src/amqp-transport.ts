import { randomUUID } from 'node:crypto';
import {
  AmqpConnectionManagerClass,
  type AmqpConnectionManager,
  type ChannelWrapper,
} from 'amqp-connection-manager';
import type { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { describeError, Invalid, sleep } from '@nova/common';
import { getLogger, runWithLogContext } from '@nova/logging';
import { routingKey, type RpcEnvelope, type RpcReply, type RpcTarget } from './envelope';
import { fromWireError, MessagingTimeout, toWireError } from './rpc-errors';
import { meteredCall, meteredCast } from './rpc-metrics';
import type { RpcConsumer, RpcHandler, RpcTransport, ServeOptions } from './transport';
import type { BrokerHost } from './transport-url';

const log = getLogger('rpc.amqp');

/** Nova's control exchange: a topic exchange routing by `topic` or `topic.server`. */
const EXCHANGE = 'nova';
const REPLY_TO = 'amq.rabbitmq.reply-to';
/** Publishes wait this long for a connection before they fail (instead of queueing in memory forever). */
const PUBLISH_TIMEOUT_MS = 10_000;
/** Between sending a publish again (after a nack, or while the channel is being rebuilt). */
const RETRY_PAUSE_MS = 50;
/** Before rebuilding a failed channel by reconnecting (so a broker that keeps refusing is not hammered). */
const RECOVER_DELAY_MS = 1000;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * RPC over RabbitMQ (amqplib through amqp-connection-manager, which reconnects,
 * trying the URL's brokers in turn, and re-runs channel setup). Durable topic
 * exchange `nova`, durable queues `<topic>` (shared) and `<topic>.<server>`,
 * fanout exchange `<topic>_fanout` (the durable queues are quorum queues when
 * configured; the fanout ones, exclusive, cannot be); casts are persistent and
 * resolve once a broker confirmed them, a publish lost with its channel is sent
 * again on the next one (at least once); calls use direct reply-to on the
 * publishing channel with a per-call timeout, and a reply that arrives too late
 * is dropped; consumers ack on their delivery's channel after the handler
 * settled, with bounded prefetch, and consume again after a reconnect.
 */
export class AmqpTransport implements RpcTransport {
  readonly kind = 'amqp' as const;
  private manager?: AmqpConnectionManager;
  private publisher?: ChannelWrapper;
  private readonly pending = new Map<string, Pending>();
  private readonly fanouts = new Set<string>();
  private readonly queues = new Set<string>();
  private readonly consumers = new Set<ChannelWrapper>();
  private recovery?: NodeJS.Timeout;

  constructor(
    private readonly hosts: readonly BrokerHost[],
    private readonly vhost: string,
    private readonly quorumQueues = false,
    private readonly heartbeatSeconds = 30,
  ) {}

  /** A durable RPC queue's declaration: quorum (replicated) when configured. */
  private durableQueue(): Options.AssertQueue {
    return this.quorumQueues
      ? { durable: true, arguments: { 'x-queue-type': 'quorum' } }
      : { durable: true };
  }

  async connect(timeoutMs: number): Promise<void> {
    if (this.manager) {
      return;
    }
    const urls: Options.Connect[] = this.hosts.map((h) => ({
      protocol: 'amqp',
      hostname: h.hostname,
      port: h.port,
      username: h.username,
      password: h.password,
      vhost: this.vhost,
      heartbeat: this.heartbeatSeconds,
    }));
    const manager = new AmqpConnectionManagerClass(urls, {
      heartbeatIntervalInSeconds: this.heartbeatSeconds,
      reconnectTimeInSeconds: 1,
      // Nagle off (amqplib leaves it on): a small RPC frame otherwise waits out the
      // peer's delayed ACK, ~40 ms per call on Linux.
      connectionOptions: { timeout: timeoutMs, noDelay: true },
    });
    manager.on('disconnect', ({ err }: { err?: Error }) =>
      log.warn({ vhost: this.vhost, err: err?.message }, 'AMQP connection lost; reconnecting'),
    );
    try {
      await manager.connect({ timeout: timeoutMs });
      const publisher = manager.createChannel({
        confirm: true,
        publishTimeout: PUBLISH_TIMEOUT_MS,
        setup: async (channel: ConfirmChannel) => {
          this.watch(channel);
          await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
        },
      });
      // A setup that fails on a later connection (a declaration refused while a
      // cluster elects queue leaders) leaves the wrapper without a channel.
      publisher.on('error', (err: unknown) => this.recover(err));
      await publisher.waitForConnect();
      // Direct reply-to must be consumed (no-ack) on the channel that publishes the calls.
      await publisher.consume(REPLY_TO, (msg) => this.onReply(msg), { noAck: true });
      this.publisher = publisher;
      this.manager = manager;
    } catch (err) {
      await manager.close().catch(() => undefined);
      throw err;
    }
  }

  isConnected(): boolean {
    return this.manager?.isConnected() ?? false;
  }

  cast(target: RpcTarget, message: RpcEnvelope): Promise<void> {
    return meteredCast(message.method, () => this.send(target, message));
  }

  call(target: RpcTarget, message: RpcEnvelope, timeoutMs: number): Promise<unknown> {
    return meteredCall(message.method, routingKey(target), () =>
      this.roundTrip(target, message, timeoutMs),
    );
  }

  async notify(routingKey: string, body: string): Promise<void> {
    await this.ensureQueue(routingKey);
    await this.publish(EXCHANGE, routingKey, Buffer.from(body), {
      contentType: 'application/json',
      persistent: true,
    });
  }

  private async send(target: RpcTarget, message: RpcEnvelope): Promise<void> {
    const body = Buffer.from(JSON.stringify(message));
    if (target.fanout) {
      const exchange = await this.fanoutExchange(target.topic);
      await this.publish(exchange, '', body, {
        contentType: 'application/json',
        persistent: false,
      });
      return;
    }
    // Declare the target's durable queue too, so a cast waits for a server that has not started yet.
    await this.ensureQueue(routingKey(target));
    await this.publish(EXCHANGE, routingKey(target), body, {
      contentType: 'application/json',
      persistent: true,
    });
  }

  private async roundTrip(
    target: RpcTarget,
    message: RpcEnvelope,
    timeoutMs: number,
  ): Promise<unknown> {
    // As for casts: a call made before its server first started waits in the queue
    // (until it expires with the call's timeout) instead of being dropped, so
    // services can start in any order.
    await this.ensureQueue(routingKey(target));
    const correlationId = randomUUID();
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(
          new MessagingTimeout(
            `Timed out waiting for a reply to ${message.method} (message ${correlationId}) on ${routingKey(target)}`,
          ),
        );
      }, timeoutMs);
      this.pending.set(correlationId, { resolve, reject, timer });
    });
    try {
      await this.publish(EXCHANGE, routingKey(target), Buffer.from(JSON.stringify(message)), {
        contentType: 'application/json',
        correlationId,
        replyTo: REPLY_TO,
        expiration: String(timeoutMs), // nobody should start work the caller gave up on
        mandatory: false,
        timeout: timeoutMs,
      });
    } catch (err) {
      const waiting = this.pending.get(correlationId);
      if (waiting) {
        clearTimeout(waiting.timer);
        this.pending.delete(correlationId);
      }
      throw err;
    }
    return reply;
  }

  async serve(
    target: { topic: string; server: string },
    handler: RpcHandler,
    options: ServeOptions = {},
  ): Promise<RpcConsumer> {
    const manager = this.readyManager();
    const shared = target.topic;
    const own = `${target.topic}.${target.server}`;
    const fanoutExchange = `${target.topic}_fanout`;
    const prefetch = options.prefetch ?? 16;
    let connected = false;
    // The consumers live in the setup, on the raw channel: it runs again on every
    // new connection (another broker after a failover), and each delivery is acked
    // on the channel it came on. Acking through the wrapper would send a dead
    // channel's delivery tag on the new channel, which the broker answers by
    // closing it (406 unknown delivery tag) or, worse, by acking another message.
    const channel = manager.createChannel({
      confirm: false,
      setup: async (ch: Channel) => {
        this.watch(ch);
        await ch.prefetch(prefetch);
        await ch.assertExchange(EXCHANGE, 'topic', { durable: true });
        await ch.assertExchange(fanoutExchange, 'fanout', { durable: false });
        for (const queue of [shared, own]) {
          await ch.assertQueue(queue, this.durableQueue());
          await ch.bindQueue(queue, EXCHANGE, queue);
        }
        // A new exclusive queue each time: the last one went with its connection
        // (and maybe with its broker, whose name for it may linger a while).
        const fanoutQueue = `${fanoutExchange}_${target.server}_${randomUUID().slice(0, 8)}`;
        await ch.assertQueue(fanoutQueue, { exclusive: true, autoDelete: true });
        await ch.bindQueue(fanoutQueue, fanoutExchange, '');
        for (const queue of [shared, own, fanoutQueue]) {
          await ch.consume(queue, (msg) => this.onDelivery(ch, msg, handler), { noAck: false });
        }
      },
    });
    await new Promise<void>((resolve, reject) => {
      channel.once('connect', () => {
        connected = true;
        resolve();
      });
      channel.on('error', (err: unknown) => {
        if (connected) {
          this.recover(err); // a re-declare failed on a later connection
        } else {
          reject(err instanceof Error ? err : new Error(describeError(err)));
        }
      });
    }).catch(async (err: unknown) => {
      await channel.close().catch(() => undefined);
      throw err;
    });
    this.consumers.add(channel);
    return {
      stop: async () => {
        this.consumers.delete(channel);
        // Closing the channel cancels its consumers; unacked deliveries go back to their queues.
        await channel.close().catch(() => undefined);
      },
    };
  }

  /** The underlying manager, for tests that need to break the connection. */
  get connection(): AmqpConnectionManager {
    return this.readyManager();
  }

  async close(): Promise<void> {
    clearTimeout(this.recovery);
    this.recovery = undefined;
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new MessagingTimeout(`Transport closed before the reply to message ${id}`));
    }
    this.pending.clear();
    await Promise.all([...this.consumers].map((c) => c.close().catch(() => undefined)));
    this.consumers.clear();
    const manager = this.manager;
    this.manager = undefined;
    this.publisher = undefined;
    await manager?.close().catch(() => undefined);
  }

  private onDelivery(ch: Channel, msg: ConsumeMessage | null, handler: RpcHandler): void {
    if (!msg) {
      // The broker cancelled the consumer (its queue was deleted or moved away).
      this.recover(new Error('consumer cancelled by the broker'));
      return;
    }
    void this.dispatch(msg, handler).finally(() => ack(ch, msg));
  }

  /** Handles one delivery and replies to a call; the caller acks it. */
  private async dispatch(msg: ConsumeMessage, handler: RpcHandler): Promise<void> {
    let message: RpcEnvelope;
    try {
      message = JSON.parse(msg.content.toString()) as RpcEnvelope;
    } catch (err) {
      log.error({ err: describeError(err) }, 'dropping a message that is not JSON');
      return;
    }
    const { replyTo, correlationId } = msg.properties as {
      replyTo?: string;
      correlationId?: string;
    };
    let reply: RpcReply;
    try {
      const result = await runWithLogContext({ requestId: message.context?.request_id }, () =>
        handler(message),
      );
      reply = { result: result ?? null };
    } catch (err) {
      reply = { failure: toWireError(err) };
      if (!replyTo) {
        log.error(
          {
            method: message.method,
            requestId: message.context?.request_id,
            err: describeError(err),
          },
          'cast handler failed',
        );
      }
    }
    if (replyTo && correlationId) {
      await this.publisher
        ?.sendToQueue(replyTo, Buffer.from(JSON.stringify(reply)), {
          correlationId,
          contentType: 'application/json',
        })
        .catch((err: unknown) => log.warn({ err: describeError(err) }, 'could not send a reply'));
    }
  }

  private onReply(msg: ConsumeMessage | null): void {
    const correlationId = msg?.properties.correlationId as string | undefined;
    const waiting = correlationId ? this.pending.get(correlationId) : undefined;
    if (!msg || !correlationId || !waiting) {
      return; // a reply after its call timed out: dropped
    }
    clearTimeout(waiting.timer);
    this.pending.delete(correlationId);
    const reply = JSON.parse(msg.content.toString()) as RpcReply;
    if ('failure' in reply) {
      waiting.reject(fromWireError(reply.failure));
    } else {
      waiting.resolve(reply.result);
    }
  }

  /**
   * Publish and wait for the broker's confirm, riding out a reconnect: a publish
   * whose channel died before its confirm, or that a broker refused (nack), is
   * sent again (at least once, as oslo.messaging does) until the publish
   * timeout; the wrapper holds it until there is a channel again.
   */
  private async publish(
    exchange: string,
    key: string,
    body: Buffer,
    options: Options.Publish & { timeout?: number },
  ): Promise<void> {
    const deadline = Date.now() + (options.timeout ?? PUBLISH_TIMEOUT_MS);
    for (;;) {
      const publisher = this.ready();
      try {
        await publisher.publish(exchange, key, body, {
          ...options,
          timeout: Math.max(1, deadline - Date.now()),
        });
        return;
      } catch (err) {
        if (!isRetryable(err) || Date.now() >= deadline) {
          throw err;
        }
        await sleep(RETRY_PAUSE_MS);
      }
    }
  }

  /** A setup step for the publishing channel, now and after every reconnect. */
  private async addSetup(setup: (channel: ConfirmChannel) => Promise<void>): Promise<void> {
    const publisher = this.ready();
    await publisher.addSetup(setup).catch(async (err: unknown) => {
      if (isChannelGone(err)) {
        return; // the channel died under us: the setup stays registered and runs on the new one
      }
      // The broker refused it (e.g. a queue of another type): not on the next connections
      // either; and the refusal closed the channel, so build a new one.
      await publisher.removeSetup(setup);
      this.recover(err);
      throw err;
    });
  }

  /**
   * The broker closing a channel (a refused declaration, an unknown delivery
   * tag) is an 'error' on it; unheard, amqplib's socket handler throws and the
   * whole connection drops. Rebuild the channel instead.
   */
  private watch(channel: Channel): void {
    channel.on('error', (err: unknown) => this.recover(err));
  }

  /**
   * A channel failed while its connection stayed up (a refused declaration, a
   * cancelled consumer). amqp-connection-manager rebuilds channels only on a new
   * connection, so reconnect (after a pause, once for several failures).
   */
  private recover(reason: unknown): void {
    log.warn(
      { vhost: this.vhost, err: describeError(reason) },
      'AMQP channel failed; reconnecting',
    );
    if (this.recovery || !this.manager) {
      return;
    }
    this.recovery = setTimeout(() => {
      this.recovery = undefined;
      try {
        this.manager?.reconnect();
      } catch {
        // closed meanwhile
      }
    }, RECOVER_DELAY_MS);
  }

  private async ensureQueue(queue: string): Promise<void> {
    if (this.queues.has(queue)) {
      return;
    }
    await this.addSetup(async (channel: ConfirmChannel) => {
      await channel.assertQueue(queue, this.durableQueue());
      await channel.bindQueue(queue, EXCHANGE, queue);
    });
    this.queues.add(queue);
  }

  private async fanoutExchange(topic: string): Promise<string> {
    const exchange = `${topic}_fanout`;
    if (!this.fanouts.has(exchange)) {
      await this.addSetup(async (channel: ConfirmChannel) => {
        await channel.assertExchange(exchange, 'fanout', { durable: false });
      });
      this.fanouts.add(exchange);
    }
    return exchange;
  }

  private ready(): ChannelWrapper {
    if (!this.publisher) {
      throw new Invalid('AMQP transport used before connect()');
    }
    return this.publisher;
  }

  private readyManager(): AmqpConnectionManager {
    if (!this.manager) {
      throw new Invalid('AMQP transport used before connect()');
    }
    return this.manager;
  }
}

/**
 * Errors that mean "the channel or connection just went away; it will be back";
 * not a broker's refusal (which closes the channel too, with an AMQP reply code).
 */
function isChannelGone(err: unknown): boolean {
  if (typeof (err as { code?: unknown } | undefined)?.code === 'number') {
    return false;
  }
  return /channel closed|connection closed|closed channel|channel ended|connection ended/i.test(
    describeError(err),
  );
}

/** A publish worth sending again: its channel went away, or the broker nacked it. */
function isRetryable(err: unknown): boolean {
  return isChannelGone(err) || /message nacked/i.test(describeError(err));
}

/** Acks a delivery on its own channel; if that channel died, the broker requeued the message. */
function ack(ch: Channel, msg: ConsumeMessage): void {
  try {
    ch.ack(msg);
  } catch (err) {
    log.debug({ err: describeError(err) }, 'delivery not acked: its channel is gone (redelivered)');
  }
}
