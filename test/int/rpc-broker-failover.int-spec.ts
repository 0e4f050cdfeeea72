import { adminContext, sleep } from '@nova/common';
import { envelope, openTransport, type RpcTransport, transportOptions } from '@nova/rpc';
import { testConfig } from '../support/config';
import { RabbitCluster, type RabbitNode } from '../support/rabbit-cluster';
import { until } from '../support/waiting';

const CASTS = 2000;
/** Casts awaiting their broker confirm at once: a steady stream, not one at a time. */
const IN_FLIGHT = 32;
/** The handler runs during which a broker dies. */
const KILL_AT = CASTS / 4;
const SECOND_KILL_AT = (CASTS * 3) / 4;
/** The consumer's prefetch: at most this many deliveries unacked on a channel. */
const PREFETCH = 16;
/** Handler runs in flight across the failover (acking after their channel died). */
const HELD = 8;
/** How far the producer may run ahead of the consumer (until the second crash). */
const LEAD = 200;

/** AMQP connections to a node's port (rabbitmqctl lists the whole cluster's). */
async function connectionsOn(node: RabbitNode): Promise<number> {
  const out = await node.ctl('list_connections', 'port', '--no-table-headers');
  return out.split('\n').filter((line) => line.trim() === String(node.port)).length;
}

/**
 * Three RabbitMQ nodes in one cluster with quorum queues
 * ([oslo_messaging_rabbit] rabbit_quorum_queue). In the middle of a stream of
 * casts, the consumer's node (which also leads the topic's queue) is SIGKILLed;
 * once it is back, the node the producer and the consumer then share is. Both
 * fail over to the next broker of their transport URL and no cast is lost.
 */
describe('RPC casts across RabbitMQ broker crashes (3-node cluster, quorum queues)', () => {
  let cluster: RabbitCluster;
  const transports: RpcTransport[] = [];
  const options = transportOptions(
    testConfig({ oslo_messaging_rabbit: { rabbit_quorum_queue: 'true' } }).oslo_messaging_rabbit,
  );

  beforeAll(async () => {
    cluster = await RabbitCluster.start(3);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await cluster?.stop();
  });

  it('handles every numbered cast at least once while the brokers under consumer and producer are killed', async () => {
    const [first, second, third] = cluster.nodes;
    const consumer = await openTransport(cluster.url([first, second, third]), 10_000, options);
    transports.push(consumer);
    const producer = await openTransport(cluster.url([second, third, first]), 10_000, options);
    transports.push(producer);

    const handled = new Map<number, number>();
    let started = 0; // handler runs begun, redeliveries included
    const sentAtKill: number[] = [];
    let back: Promise<void> | undefined;
    let secondDown: Promise<void> | undefined;
    let sharedSecond = -1;
    let killedSecond!: () => void;
    const secondKill = new Promise<void>((r) => (killedSecond = r));
    let resume!: () => void;
    const failedOver = new Promise<void>((r) => (resume = r));
    await consumer.serve(
      { topic: 'ha', server: 'c1' },
      async (m) => {
        const run = ++started;
        if (run === KILL_AT) {
          // Crash the consumer's broker (the queue's leader too), and boot it again.
          sentAtKill.push(next);
          back = first
            .kill()
            .then(() => first.start())
            .then(() => cluster.waitRunning());
        }
        if (run > KILL_AT + PREFETCH) {
          // More deliveries than the dead channel could have had unacked: the new one's.
          resume();
        }
        if (run > KILL_AT - HELD && run <= KILL_AT) {
          // Work that outlives its broker: it ends (and acks) after the failover,
          // when the channel it came on is gone.
          await failedOver;
        }
        if (run === SECOND_KILL_AT) {
          // The stream waits here until the first node is back (two of three down
          // is no majority); then crash the node both sides now use.
          await back;
          sharedSecond = await connectionsOn(second);
          sentAtKill.push(next);
          secondDown = second.kill();
          lead = CASTS; // the producer sends the rest at once, into its failover
          killedSecond();
        } else if (run > SECOND_KILL_AT) {
          await secondKill; // hold the stream (and these acks) across the second crash
        }
        const n = m.args['n'] as number;
        handled.set(n, (handled.get(n) ?? 0) + 1);
      },
      { prefetch: PREFETCH },
    );
    expect([await connectionsOn(first), await connectionsOn(second)]).toEqual([1, 1]);

    const rejected: Array<[number, string]> = [];
    let next = 0;
    let lead = LEAD;
    let slowest = 0; // ms, the longest a cast waited for its confirm
    const ctx = adminContext({ requestId: 'req-ha' });
    const sender = async (): Promise<void> => {
      while (next < CASTS) {
        if (next - started > lead) {
          await sleep(5); // keep the stream steady: the producer stays near the consumer
          continue;
        }
        const n = next++;
        const begun = Date.now();
        await producer
          .cast({ topic: 'ha' }, envelope(ctx, 'work', { n }, '1.0'))
          .catch((err: Error) => rejected.push([n, err.message]));
        slowest = Math.max(slowest, Date.now() - begun);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    await secondDown;

    // cast() resolved for every message: each one was confirmed by a broker.
    expect(rejected).toEqual([]);
    await until(`all ${CASTS} casts handled`, async () => handled.size === CASTS, 600);
    const missing = Array.from({ length: CASTS }, (_, n) => n).filter((n) => !handled.has(n));
    expect(missing).toEqual([]);
    const duplicates = [...handled.values()].reduce((sum, count) => sum + count - 1, 0);
    console.info(
      `${CASTS} casts, none lost; ${duplicates} handled twice (redelivered after a crash); ` +
        `brokers died at casts ${sentAtKill.join(' and ')}; the slowest cast took ${slowest} ms`,
    );
    // Both kills happened mid-stream; before the second, the consumer had moved to
    // the producer's node; now both sit on the nodes still up.
    expect(sentAtKill).toHaveLength(2);
    expect(sentAtKill[1]).toBeLessThan(CASTS);
    expect(sharedSecond).toBe(2);
    expect([first.running, second.running, third.running]).toEqual([true, false, true]);
    expect((await connectionsOn(first)) + (await connectionsOn(third))).toBe(2);

    // A client started now, with the dead broker first in its URL, moves on to the
    // next one, and its call reaches the consumer that failed over twice.
    const late = await openTransport(cluster.url([second, third, first]), 10_000, options);
    transports.push(late);
    expect(
      await late.call(
        { topic: 'ha', server: 'c1' },
        envelope(ctx, 'work', { n: -1 }, '1.0'),
        10_000,
      ),
    ).toBeNull();
    expect(handled.get(-1)).toBe(1);
  }, 120_000);
});
