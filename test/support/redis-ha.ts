import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { freePort } from './redis';
import { listening, until } from './waiting';

const run = promisify(execFile);

/** One redis-server (or sentinel) on loopback, from a conf file in its own temp dir. */
export class RedisProcess {
  private child?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'nova-redis-ha-'));

  constructor(
    readonly port: number,
    private readonly conf: string[],
    private readonly sentinel = false,
  ) {}

  /** `extra` conf lines are for this start only (e.g. rejoining as a replica). */
  async start(extra: string[] = []): Promise<void> {
    if (this.child) {
      throw new Error(`redis on ${this.port} is running already`);
    }
    const file = join(this.dir, this.sentinel ? 'sentinel.conf' : 'redis.conf');
    const common = [`port ${this.port}`, 'bind 127.0.0.1', `dir ${this.dir}`];
    const persistence = this.sentinel ? [] : ['save ""', 'appendonly no'];
    const lines = [...common, ...persistence, ...this.conf, ...extra];
    writeFileSync(file, lines.join('\n') + '\n');
    this.child = spawn('redis-server', this.sentinel ? [file, '--sentinel'] : [file], {
      stdio: 'ignore',
    });
    await until(`redis on ${this.port}`, () => listening(this.port), 100);
  }

  /** SIGKILL: a crash, no clean shutdown for anyone to notice. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Kill it and remove its directory (conf, cluster state). */
  async remove(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  client(password?: string): Redis {
    return new Redis({ port: this.port, host: '127.0.0.1', password, maxRetriesPerRequest: 1 });
  }
}

async function ask<T>(
  node: RedisProcess,
  password: string | undefined,
  fn: (r: Redis) => Promise<T>,
) {
  const client = node.client(password);
  try {
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

/** Every process is killed and removed even when one of them fails to. */
async function stopAll(processes: RedisProcess[]): Promise<void> {
  const results = await Promise.allSettled(processes.map((p) => p.remove()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    throw failed.reason;
  }
}

/**
 * A master, its replica and one sentinel watching them (quorum 1, down after
 * 1 s), so killing the master promotes the replica within a few seconds.
 */
export class SentinelSet {
  static readonly service = 'mymaster';

  private constructor(
    readonly master: RedisProcess,
    readonly replica: RedisProcess,
    readonly sentinel: RedisProcess,
    readonly sentinelPassword?: string,
  ) {}

  static async start(sentinelPassword?: string): Promise<SentinelSet> {
    const masterPort = await freePort();
    const master = new RedisProcess(masterPort, []);
    const replica = new RedisProcess(await freePort(), [`replicaof 127.0.0.1 ${masterPort}`]);
    const sentinel = new RedisProcess(
      await freePort(),
      [
        `sentinel monitor ${SentinelSet.service} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${SentinelSet.service} 1000`,
        `sentinel failover-timeout ${SentinelSet.service} 3000`,
        ...(sentinelPassword ? [`requirepass ${sentinelPassword}`] : []),
      ],
      true,
    );
    const set = new SentinelSet(master, replica, sentinel, sentinelPassword);
    await master.start();
    await replica.start();
    await until('replica in sync', async () =>
      ask(replica, undefined, async (r) =>
        (await r.info('replication')).includes('master_link_status:up'),
      ),
    );
    await sentinel.start();
    // INFO every 0.5 s instead of 10 s: a replica that comes back is seen at once.
    await ask(sentinel, sentinelPassword, (s) => s.call('SENTINEL', 'DEBUG', 'INFO-PERIOD', '500'));
    // The sentinel must know the replica, or it has nobody to promote.
    await until('sentinel sees the replica', async () =>
      ask(sentinel, sentinelPassword, async (s) => {
        const replicas = (await s.call('SENTINEL', 'REPLICAS', SentinelSet.service)) as unknown[];
        return replicas.length === 1;
      }),
    );
    return set;
  }

  /** Waits until the sentinel counts the server on `port` as a healthy replica it could promote. */
  async waitForReplica(port: number): Promise<void> {
    await until(`sentinel sees a healthy replica on ${port}`, async () =>
      ask(this.sentinel, this.sentinelPassword, async (s) => {
        const replicas = (await s.call('SENTINEL', 'REPLICAS', SentinelSet.service)) as string[][];
        return replicas.some((fields) => {
          const info = new Map<string, string>();
          for (let i = 0; i + 1 < fields.length; i += 2) {
            info.set(fields[i], fields[i + 1]);
          }
          return (
            info.get('port') === String(port) &&
            info.get('flags') === 'slave' &&
            info.get('master-link-status') === 'ok'
          );
        });
      }),
    );
  }

  /**
   * Brings a crashed server back as a replica of the current master, as an operator
   * would (the sentinel would convert it too, after waiting for it to look stable).
   */
  async rejoin(node: RedisProcess): Promise<void> {
    await node.start([`replicaof 127.0.0.1 ${await this.masterPort()}`]);
    await this.waitForReplica(node.port);
  }

  /** A planned switchover: the sentinel promotes a replica while the master is still up. */
  async failover(): Promise<void> {
    await ask(this.sentinel, this.sentinelPassword, (s) =>
      s.call('SENTINEL', 'FAILOVER', SentinelSet.service),
    );
  }

  /** The port the sentinel currently names as master. */
  async masterPort(): Promise<number> {
    return ask(this.sentinel, this.sentinelPassword, async (s) => {
      const [, port] = (await s.call(
        'SENTINEL',
        'GET-MASTER-ADDR-BY-NAME',
        SentinelSet.service,
      )) as [string, string];
      return Number(port);
    });
  }

  async stop(): Promise<void> {
    await stopAll([this.sentinel, this.replica, this.master]);
  }
}

/** Three masters (no replicas) joined into a Redis Cluster; slots spread over all three. */
export class RedisClusterSet {
  private constructor(readonly nodes: RedisProcess[]) {}

  static async start(): Promise<RedisClusterSet> {
    const nodes: RedisProcess[] = [];
    for (let i = 0; i < 3; i++) {
      // The bus port is set explicitly: the default port+10000 may not exist.
      nodes.push(
        new RedisProcess(await freePort(), [
          'cluster-enabled yes',
          'cluster-config-file nodes.conf',
          'cluster-node-timeout 2000',
          `cluster-port ${await freePort()}`,
        ]),
      );
    }
    const set = new RedisClusterSet(nodes);
    for (const node of nodes) {
      await node.start();
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const node of nodes) {
      await until(`cluster ok on ${node.port}`, async () =>
        ask(node, undefined, async (r) =>
          ((await r.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok'),
        ),
      );
    }
    return set;
  }

  /** The node holding `key`'s slot (to check a key really landed in the cluster). */
  async nodeOf(key: string): Promise<RedisProcess> {
    const first = this.nodes[0];
    const slot = await ask(first, undefined, (r) => r.call('CLUSTER', 'KEYSLOT', key));
    const shards = await ask(
      first,
      undefined,
      (r) => r.call('CLUSTER', 'SLOTS') as Promise<Array<[number, number, [string, number]]>>,
    );
    const owner = shards.find(([from, to]) => Number(slot) >= from && Number(slot) <= to);
    return this.nodes.find((n) => n.port === owner?.[2][1]) as RedisProcess;
  }

  async stop(): Promise<void> {
    await stopAll(this.nodes);
  }
}
