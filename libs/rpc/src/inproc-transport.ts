import { describeError, Invalid } from '@nova/common';
import { getLogger, runWithLogContext } from '@nova/logging';
import { routingKey, type RpcEnvelope, type RpcReply, type RpcTarget } from './envelope';
import { encode, InProcessBroker, type Delivery } from './inproc-broker';
import { fromWireError, MessagingTimeout, toWireError } from './rpc-errors';
import { meteredCall, meteredCast } from './rpc-metrics';
import type { RpcConsumer, RpcHandler, RpcTransport, ServeOptions } from './transport';

const log = getLogger('rpc.inproc');

/**
 * The embedded default's transport: `inproc://name` names a broker inside this
 * process. Same semantics as AMQP (queues keep casts until consumed, calls time
 * out, errors cross as wire errors), without a server.
 */
export class InProcessTransport implements RpcTransport {
  readonly kind = 'inproc' as const;
  private broker?: InProcessBroker;
  private readonly unsubscribes = new Set<() => void>();

  constructor(readonly name: string) {}

  connect(): Promise<void> {
    this.broker = InProcessBroker.named(this.name);
    return Promise.resolve();
  }

  isConnected(): boolean {
    return this.broker !== undefined;
  }

  cast(target: RpcTarget, message: RpcEnvelope): Promise<void> {
    return meteredCast(message.method, () => this.send(target, message));
  }

  call(target: RpcTarget, message: RpcEnvelope, timeoutMs: number): Promise<unknown> {
    return meteredCall(message.method, routingKey(target), () =>
      this.roundTrip(target, message, timeoutMs),
    );
  }

  /** Nobody consumes notifications in-process: the notifier drops them before this. */
  notify(): Promise<void> {
    return Promise.resolve();
  }

  private send(target: RpcTarget, message: RpcEnvelope): Promise<void> {
    const delivery: Delivery = { body: encode(message) };
    if (target.fanout) {
      this.ready().publishFanout(target.topic, delivery);
    } else {
      this.ready().publish(routingKey(target), delivery);
    }
    return Promise.resolve();
  }

  private roundTrip(target: RpcTarget, message: RpcEnvelope, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(
          new MessagingTimeout(
            `Timed out waiting for a reply to ${message.method} on ${routingKey(target)}`,
          ),
        );
      }, timeoutMs);
      const reply = (r: RpcReply): void => {
        if (settled) {
          return; // too late: dropped, as on the wire
        }
        settled = true;
        clearTimeout(timer);
        if ('failure' in r) {
          reject(fromWireError(r.failure));
        } else {
          resolve(r.result);
        }
      };
      this.ready().publish(routingKey(target), { body: encode(message), reply });
    });
  }

  serve(
    target: { topic: string; server: string },
    handler: RpcHandler,
    options: ServeOptions = {},
  ): Promise<RpcConsumer> {
    const broker = this.ready();
    const prefetch = options.prefetch ?? 16;
    const deliver = async (delivery: Delivery): Promise<void> => {
      const message = JSON.parse(delivery.body) as RpcEnvelope;
      let reply: RpcReply;
      try {
        reply = {
          result: JSON.parse(
            JSON.stringify(
              (await runWithLogContext({ requestId: message.context?.request_id }, () =>
                handler(message),
              )) ?? null,
            ),
          ) as unknown,
        };
      } catch (err) {
        reply = { failure: toWireError(err) };
        if (!delivery.reply) {
          log.error({ method: message.method, err: describeError(err) }, 'cast handler failed');
        }
      }
      delivery.reply?.(reply);
    };
    const subs = [
      broker.subscribe(target.topic, deliver, prefetch),
      broker.subscribe(`${target.topic}.${target.server}`, deliver, prefetch),
      broker.subscribeFanout(target.topic, deliver),
    ];
    subs.forEach((s) => this.unsubscribes.add(s));
    return Promise.resolve({
      stop: () => {
        subs.forEach((s) => {
          s();
          this.unsubscribes.delete(s);
        });
        return Promise.resolve();
      },
    });
  }

  close(): Promise<void> {
    this.unsubscribes.forEach((s) => s());
    this.unsubscribes.clear();
    this.broker = undefined;
    return Promise.resolve();
  }

  private ready(): InProcessBroker {
    if (!this.broker) {
      throw new Invalid('in-process transport used before connect()');
    }
    return this.broker;
  }
}
