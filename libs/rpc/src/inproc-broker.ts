import type { RpcEnvelope, RpcReply } from './envelope';

export interface Delivery {
  readonly body: string;
  readonly reply?: (reply: RpcReply) => void;
}

interface Subscriber {
  readonly deliver: (delivery: Delivery) => Promise<void>;
  readonly prefetch: number;
  inFlight: number;
}

/** Messages no consumer took yet, per queue, like a durable queue's backlog. */
const MAX_BACKLOG = 100_000;

class Queue {
  readonly backlog: Delivery[] = [];
  readonly subscribers: Subscriber[] = [];
  private next = 0;
  private scheduled = false;

  push(delivery: Delivery): void {
    if (this.backlog.length >= MAX_BACKLOG) {
      throw new Error('in-process queue is full');
    }
    this.backlog.push(delivery);
    this.schedule();
  }

  /** Deliver asynchronously (never inside the publisher's call), round-robin, within each consumer's prefetch. */
  schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.pump();
      });
    }
  }

  private pump(): void {
    while (this.backlog.length > 0) {
      const subscriber = this.pickSubscriber();
      if (!subscriber) {
        return;
      }
      const delivery = this.backlog.shift() as Delivery;
      subscriber.inFlight++;
      void subscriber.deliver(delivery).finally(() => {
        subscriber.inFlight--;
        this.schedule();
      });
    }
  }

  private pickSubscriber(): Subscriber | undefined {
    for (let i = 0; i < this.subscribers.length; i++) {
      const candidate = this.subscribers[(this.next + i) % this.subscribers.length];
      if (candidate.inFlight < candidate.prefetch) {
        this.next = (this.next + i + 1) % this.subscribers.length;
        return candidate;
      }
    }
    return undefined;
  }
}

/**
 * The embedded default's message broker, one per `inproc://name`, shared by
 * every transport of this process opened on that name: topic and server queues
 * that keep messages until a consumer takes them, fanout to every consumer of a
 * topic, round-robin between consumers of a queue.
 */
export class InProcessBroker {
  private static readonly brokers = new Map<string, InProcessBroker>();
  private readonly queues = new Map<string, Queue>();
  private readonly fanouts = new Map<string, Set<Subscriber>>();

  static named(name: string): InProcessBroker {
    let broker = InProcessBroker.brokers.get(name);
    if (!broker) {
      broker = new InProcessBroker();
      InProcessBroker.brokers.set(name, broker);
    }
    return broker;
  }

  publish(key: string, delivery: Delivery): void {
    this.queue(key).push(delivery);
  }

  publishFanout(topic: string, delivery: Delivery): void {
    for (const subscriber of this.fanouts.get(topic) ?? []) {
      setImmediate(() => void subscriber.deliver(delivery));
    }
  }

  subscribe(key: string, deliver: Subscriber['deliver'], prefetch: number): () => void {
    const queue = this.queue(key);
    const subscriber: Subscriber = { deliver, prefetch, inFlight: 0 };
    queue.subscribers.push(subscriber);
    queue.schedule();
    return () => {
      const i = queue.subscribers.indexOf(subscriber);
      if (i >= 0) {
        queue.subscribers.splice(i, 1);
      }
    };
  }

  subscribeFanout(topic: string, deliver: Subscriber['deliver']): () => void {
    const set = this.fanouts.get(topic) ?? new Set<Subscriber>();
    const subscriber: Subscriber = { deliver, prefetch: Number.MAX_SAFE_INTEGER, inFlight: 0 };
    set.add(subscriber);
    this.fanouts.set(topic, set);
    return () => set.delete(subscriber);
  }

  private queue(key: string): Queue {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = new Queue();
      this.queues.set(key, queue);
    }
    return queue;
  }
}

/** Messages cross the in-process broker as JSON, as they would cross the wire. */
export function encode(message: RpcEnvelope): string {
  return JSON.stringify(message);
}
