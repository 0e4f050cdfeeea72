import { adminContext, sleep } from '@nova/common';
import { envelope, openTransport, type RpcTransport, transportOptions } from '@nova/rpc';
import { testConfig } from '../support/config';
import { RabbitCluster, type RabbitNode } from '../support/rabbit-cluster';
import { until } from '../support/redis-ha';

const CASTS = 2000;
/** Casts awaiting their broker confirm at once: a steady stream, not one at a time. */
const IN_FLIGHT = 32;
/** The handler run during which the broker dies. */
const KILL_AT = CASTS / 4;
/** The consumer's prefetch: at most this many deliveries unacked on a channel. */
const PREFETCH = 16;
/** Handler runs in flight across the failover (acking after their channel died). */
const HELD = 8;
/** How far the producer may run ahead of the consumer. */
const LEAD = 200;

/** AMQP connections to a node's port (rabbitmqctl lists the whole cluster's). */
async function connectionsOn(node: RabbitNode): Promise<number> {
  const out = await node.ctl('list_connections', 'port', '--no-table-headers');
  return out.split('\n').filter((line) => line.trim() === String(node.port)).length;
}

/**
 * Three RabbitMQ nodes in one cluster with quorum queues
 * ([oslo_messaging_rabbit] rabbit_quorum_queue): the node the producer and the
 * consumer are both connected to, which also leads the topic's queues, is
 * SIGKILLed in the middle of a stream of casts; both fail over to the next
 * broker of their transport URL and no cast is lost.
 */
describe('RPC casts across a RabbitMQ broker crash (3-node cluster, quorum queues)', () => {
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

  it('handles every numbered cast at least once while the broker both sides use is killed', async () => {
    const [first] = cluster.nodes;
    // Both URLs name the nodes in the same order: both sides start on the first node.
    const url = cluster.url();
    const consumer = await openTransport(url, 10_000, options);
    transports.push(consumer);
    const producer = await openTransport(url, 10_000, options);
    transports.push(producer);

    const handled = new Map<number, number>();
    let started = 0; // handler runs begun, redeliveries included
    let sentAtKill = -1;
    let kill: Promise<void> | undefined;
    let resume!: () => void;
    const failedOver = new Promise<void>((r) => (resume = r));
    await consumer.serve(
      { topic: 'ha', server: 'c1' },
      async (m) => {
        const run = ++started;
        if (run === KILL_AT) {
          // Mid-stream: crash the broker under both the consumer and the producer.
          sentAtKill = next;
          kill = first.kill();
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
        const n = m.args['n'] as number;
        handled.set(n, (handled.get(n) ?? 0) + 1);
      },
      { prefetch: PREFETCH },
    );
    expect(await connectionsOn(first)).toBe(2);

    const rejected: Array<[number, string]> = [];
    let next = 0;
    let slowest = 0; // ms, the longest a cast waited for its confirm
    const ctx = adminContext({ requestId: 'req-ha' });
    const sender = async (): Promise<void> => {
      while (next < CASTS) {
        if (next - started > LEAD) {
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
    await kill;

    // cast() resolved for every message: each one was confirmed by a broker.
    expect(rejected).toEqual([]);
    await until(`all ${CASTS} casts handled`, async () => handled.size === CASTS, 600);
    const missing = Array.from({ length: CASTS }, (_, n) => n).filter((n) => !handled.has(n));
    expect(missing).toEqual([]);
    const duplicates = [...handled.values()].reduce((sum, count) => sum + count - 1, 0);
    console.info(
      `${CASTS} casts, none lost; ${duplicates} handled twice (redelivered after the crash); ` +
        `the broker died at cast ${sentAtKill}; the slowest cast took ${slowest} ms`,
    );
    // The kill really happened mid-stream, and both sides now sit on the survivors.
    expect(sentAtKill).toBeGreaterThan(0);
    expect(sentAtKill).toBeLessThan(CASTS);
    expect(first.running).toBe(false);
    const survivors = cluster.nodes.filter((n) => n !== first);
    const moved = await Promise.all(survivors.map((n) => connectionsOn(n)));
    expect(moved.reduce((a, b) => a + b, 0)).toBe(2);

    // A client started now, with the dead broker still first in its URL, moves on
    // to the next one, and its call reaches the consumer that failed over.
    const late = await openTransport(url, 10_000, options);
    transports.push(late);
    expect(
      await late.call(
        { topic: 'ha', server: 'c1' },
        envelope(ctx, 'work', { n: -1 }, '1.0'),
        10_000,
      ),
    ).toBeNull();
    expect(handled.get(-1)).toBe(1);
  });
});
