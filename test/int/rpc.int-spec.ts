import { Conflict, adminContext, sleep } from '@nova/common';
import {
  type AmqpTransport,
  allowRemoteErrors,
  createTransport,
  envelope,
  MessagingTimeout,
  RemoteError,
  type RpcEnvelope,
  type RpcTransport,
} from '@nova/rpc';
import { uniqueId } from '../support/env';
import { createVhost, deleteVhost, queueTypes, rabbitUrl } from '../support/rabbit';

allowRemoteErrors(Conflict);

const msg = (method: string, args: Record<string, unknown> = {}): RpcEnvelope =>
  envelope(adminContext({ requestId: 'req-test' }), method, args, '1.0');

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) {
      throw new Error('condition not met in time');
    }
    await sleep(10);
  }
}

/** The same messaging semantics on RabbitMQ and in process. */
describe.each(['amqp', 'inproc'] as const)('RPC over %s', (kind) => {
  const vhost = uniqueId('rpc');
  const url = kind === 'amqp' ? rabbitUrl(vhost) : `inproc://${vhost}`;
  const transports: RpcTransport[] = [];
  const open = async (): Promise<RpcTransport> => {
    const t = createTransport(url);
    await t.connect(5000);
    transports.push(t);
    return t;
  };

  beforeAll(async () => {
    if (kind === 'amqp') {
      await createVhost(vhost);
    }
  });

  afterAll(async () => {
    await Promise.all(transports.map((t) => t.close()));
    if (kind === 'amqp') {
      await deleteVhost(vhost);
    }
  });

  it('calls a server and gets its result, with the context across the wire', async () => {
    const server = await open();
    await server.serve({ topic: 'calc', server: 'h1' }, async (m) => ({
      sum: (m.args['a'] as number) + (m.args['b'] as number),
      request: m.context.request_id,
    }));
    const client = await open();
    expect(await client.call({ topic: 'calc' }, msg('add', { a: 2, b: 3 }), 5000)).toEqual({
      sum: 5,
      request: 'req-test',
    });
    expect(
      await client.call({ topic: 'calc', server: 'h1' }, msg('add', { a: 1, b: 1 }), 5000),
    ).toEqual({ sum: 2, request: 'req-test' });
  });

  it('brings errors back: allowed classes as themselves, others as RemoteError', async () => {
    const server = await open();
    await server.serve({ topic: 'errs', server: 'h1' }, async (m) => {
      if (m.method === 'conflict') {
        throw new Conflict('Cannot do that while busy', { state: 'busy' });
      }
      throw new TypeError('boom');
    });
    const client = await open();
    const conflict = await client
      .call({ topic: 'errs' }, msg('conflict'), 5000)
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(Conflict);
    expect(conflict).toMatchObject({
      code: 409,
      message: 'Cannot do that while busy',
      kwargs: { state: 'busy' },
    });
    const other = await client.call({ topic: 'errs' }, msg('other'), 5000).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(RemoteError);
    expect((other as RemoteError).remoteName).toBe('TypeError');
  });

  it('times out a call nobody answers in time, and drops the late reply', async () => {
    const server = await open();
    await server.serve({ topic: 'slow', server: 'h1' }, async (m) => {
      await sleep(m.args['ms'] as number);
      return 'done';
    });
    const client = await open();
    const started = Date.now();
    await expect(
      client.call({ topic: 'slow' }, msg('wait', { ms: 600 }), 200),
    ).rejects.toBeInstanceOf(MessagingTimeout);
    expect(Date.now() - started).toBeLessThan(500);
    expect(await client.call({ topic: 'slow' }, msg('wait', { ms: 1 }), 2000)).toBe('done');
    await sleep(600); // the late reply arrives and is ignored
  });

  it('casts to a topic reach exactly one consumer; to a server only that one; fanout all', async () => {
    const seen: Array<[string, string]> = [];
    for (const host of ['a', 'b']) {
      const server = await open();
      await server.serve({ topic: 'work', server: host }, async (m) => {
        seen.push([host, m.method]);
      });
    }
    const client = await open();
    for (let i = 0; i < 10; i++) {
      await client.cast({ topic: 'work' }, msg(`shared-${i}`));
    }
    await client.cast({ topic: 'work', server: 'b' }, msg('only-b'));
    await client.cast({ topic: 'work', fanout: true }, msg('everyone'));
    await until(() => seen.length === 13);
    const shared = seen.filter(([, m]) => m.startsWith('shared-'));
    expect(shared).toHaveLength(10);
    expect(new Set(shared.map(([, m]) => m)).size).toBe(10);
    expect(new Set(shared.map(([h]) => h))).toEqual(new Set(['a', 'b']));
    expect(seen.filter(([, m]) => m === 'only-b')).toEqual([['b', 'only-b']]);
    expect(
      seen
        .filter(([, m]) => m === 'everyone')
        .map(([h]) => h)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('keeps casts until a consumer comes', async () => {
    const client = await open();
    for (let i = 0; i < 5; i++) {
      await client.cast({ topic: 'later', server: 'h9' }, msg(`m${i}`));
    }
    const got: string[] = [];
    const server = await open();
    await server.serve({ topic: 'later', server: 'h9' }, async (m) => {
      got.push(m.method);
    });
    await until(() => got.length === 5);
    expect(got.sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('bounds the work in flight with prefetch', async () => {
    let inFlight = 0;
    let peak = 0;
    let done = 0;
    const server = await open();
    await server.serve(
      { topic: 'bounded', server: 'h1' },
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await sleep(20);
        inFlight--;
        done++;
      },
      { prefetch: 2 },
    );
    const client = await open();
    for (let i = 0; i < 12; i++) {
      await client.cast({ topic: 'bounded', server: 'h1' }, msg('job'));
    }
    await until(() => done === 12);
    expect(peak).toBeLessThanOrEqual(2);
  });
});

describe('RPC over RabbitMQ across a broken connection', () => {
  const vhost = uniqueId('rpcr');
  let client: AmqpTransport;
  let server: RpcTransport;

  beforeAll(async () => {
    await createVhost(vhost);
    client = createTransport(rabbitUrl(vhost)) as AmqpTransport;
    await client.connect(5000);
    server = createTransport(rabbitUrl(vhost));
    await server.connect(5000);
  });

  afterAll(async () => {
    await client.close();
    await server.close();
    await deleteVhost(vhost);
  });

  it('reconnects without losing casts sent while the connection was down, and calls work again', async () => {
    const got = new Set<string>();
    await server.serve({ topic: 'resilient', server: 'h1' }, async (m) => {
      got.add(m.method);
      return m.method;
    });
    // Break the client's socket as a network failure would.
    const model = client.connection.connection as unknown as {
      connection: { stream: { destroy(err: Error): void } };
    };
    model.connection.stream.destroy(new Error('network down'));
    const sends = Array.from({ length: 20 }, (_, i) =>
      client.cast({ topic: 'resilient' }, msg(`c${i}`)),
    );
    await Promise.all(sends);
    await until(() => got.size === 20, 15_000);
    expect(await client.call({ topic: 'resilient' }, msg('ping'), 10_000)).toBe('ping');
  });
});

describe('RPC over RabbitMQ with quorum queues ([oslo_messaging_rabbit] rabbit_quorum_queue)', () => {
  const vhost = uniqueId('rpcq');
  const transports: RpcTransport[] = [];
  const open = async (): Promise<RpcTransport> => {
    const t = createTransport(rabbitUrl(vhost), { quorumQueues: true });
    await t.connect(5000);
    transports.push(t);
    return t;
  };
  beforeAll(() => createVhost(vhost));

  afterAll(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await deleteVhost(vhost);
  });

  it('declares the topic and host queues as quorum queues, keeps casts for a later consumer, and calls', async () => {
    const client = await open();
    // Cast before any server: the quorum queue holds it.
    await client.cast({ topic: 'qcalc' }, msg('early'));
    const got: string[] = [];
    const server = await open();
    await server.serve({ topic: 'qcalc', server: 'h1' }, async (m) => {
      got.push(m.method);
      return m.args['x'] ?? m.method;
    });
    await until(() => got.includes('early'));
    expect(await client.call({ topic: 'qcalc', server: 'h1' }, msg('echo', { x: 7 }), 5000)).toBe(
      7,
    );
    await client.cast({ topic: 'qcalc' }, msg('fan'));
    await until(() => got.includes('fan'));

    const types = await queueTypes(vhost);
    expect(types.get('qcalc')).toBe('quorum');
    expect(types.get('qcalc.h1')).toBe('quorum');
    // The server's fanout queue is exclusive: quorum queues cannot be.
    const fanout = [...types].filter(([name]) => name.startsWith('qcalc_fanout_'));
    expect(fanout.map(([, type]) => type)).toEqual(['classic']);
  });

  it('rejects a cast whose queue the broker refuses (another type), then casts again on a new channel', async () => {
    const classic = createTransport(rabbitUrl(vhost));
    await classic.connect(5000);
    transports.push(classic);
    await classic.cast({ topic: 'mixed' }, msg('as-classic'));
    const client = await open();
    await expect(client.cast({ topic: 'mixed' }, msg('refused'))).rejects.toThrow(
      /PRECONDITION_FAILED - inequivalent arg 'x-queue-type'/,
    );
    // The refusal closed the publishing channel; it is rebuilt without the refused queue.
    const got: string[] = [];
    const server = await open();
    await server.serve({ topic: 'qafter', server: 'h1' }, async (m) => {
      got.push(m.method);
    });
    await client.cast({ topic: 'qafter' }, msg('after'));
    await until(() => got.includes('after'));
  });
});
