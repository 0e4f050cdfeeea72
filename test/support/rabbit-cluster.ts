import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from '@nova/common';
import { freePort } from './redis';
import { listening, until } from './waiting';

const run = promisify(execFile);

/** Debian's rabbitmq-server script itself (not the /usr/sbin wrapper that su's and detaches). */
const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
/** The broker's home: its .erlang.cookie is the one rabbitmqctl (run as root) uses too. */
const RABBIT_HOME = '/var/lib/rabbitmq';

/** The uid/gid of the `rabbitmq` user when we are root (the broker refuses nothing, but its cookie is that user's). */
async function brokerUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) {
    return undefined;
  }
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'rabbitmq']),
    run('id', ['-g', 'rabbitmq']),
  ]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Beams still running, killed if the test process exits without stop() (no strays). */
const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

/**
 * One extra RabbitMQ node on loopback, beside (never touching) the machine's
 * main broker: its own node name, AMQP and distribution ports, config,
 * mnesia and log directories, and no plugins (so no management port to clash).
 */
export class RabbitNode {
  private child?: ChildProcess;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly distPort: number,
    private readonly dir: string,
    private readonly user?: { uid: number; gid: number },
  ) {}

  /** Starts the node (again, after a kill: same name and data, so it rejoins its cluster). */
  async start(): Promise<void> {
    if (this.child) {
      throw new Error(`${this.name} is running already`);
    }
    const env = {
      PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: RABBIT_HOME,
      LANG: 'C.UTF-8',
      RABBITMQ_NODENAME: this.name,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_CONF_ENV_FILE: join(this.dir, 'rabbitmq-env.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_PID_FILE: join(this.dir, 'beam.pid'),
      // Erlang distribution on loopback only, as the main broker's.
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    };
    const child = spawn(SERVER, [], { env, stdio: 'ignore', ...this.user });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) {
        this.child = undefined;
      }
    });
    // A loaded machine may take half a minute to boot a node; one that exits fails at once.
    for (let i = 0; !(await listening(this.port)); i++) {
      if (!this.child || i >= 900) {
        await this.kill();
        throw new Error(`${this.name} did not start on ${this.port}:\n${this.logTail()}`);
      }
      await sleep(100);
    }
    const pid = this.beamPid();
    if (pid) {
      live.add(pid);
    }
  }

  private logTail(): string {
    try {
      const log = readFileSync(join(this.dir, 'log', `${this.name}.log`), 'utf8');
      return log.split('\n').slice(-30).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** The Erlang VM's pid (the script in between is only a shell waiting for it). */
  private beamPid(): number | undefined {
    try {
      return Number(readFileSync(join(this.dir, 'beam.pid'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** SIGKILL the beam: a crash, no goodbye to clients or peers. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) {
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const pid = this.beamPid();
    if (pid) {
      live.delete(pid);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    child.kill('SIGKILL');
    await exited;
    rmSync(join(this.dir, 'beam.pid'), { force: true });
  }

  /** rabbitmqctl against this node. */
  async ctl(...args: string[]): Promise<string> {
    const { stdout } = await run('rabbitmqctl', ['-q', '-n', this.name, ...args]);
    return stdout;
  }
}

/**
 * Several RabbitMQ nodes joined into one cluster (the first is the seed), for
 * tests that kill brokers. Everything lives in one temp dir, removed by stop().
 */
export class RabbitCluster {
  private constructor(
    readonly nodes: RabbitNode[],
    private readonly dir: string,
  ) {}

  static async start(size: number): Promise<RabbitCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'nova-rabbit-cluster-'));
    const user = await brokerUser();
    const id = Math.random().toString(36).slice(2, 7);
    const nodes: RabbitNode[] = [];
    for (let i = 1; i <= size; i++) {
      const nodeDir = join(dir, `n${i}`);
      mkdirSync(nodeDir);
      const port = await freePort();
      const name = `nova-ha${i}-${id}@localhost`;
      // The others find the first node (the seed) and join it as they boot:
      // no stop_app/join_cluster/start_app round of rabbitmqctl calls.
      const seed =
        i === 1
          ? []
          : [
              'cluster_formation.peer_discovery_backend = classic_config',
              `cluster_formation.classic_config.nodes.1 = nova-ha1-${id}@localhost`,
            ];
      writeFileSync(
        join(nodeDir, 'rabbitmq.conf'),
        [
          `listeners.tcp.local = 127.0.0.1:${port}`,
          'log.console = false',
          'log.file.level = info',
          // Small test machines: do not block publishers for low disk or memory.
          'disk_free_limit.absolute = 1MB',
          'vm_memory_high_watermark.relative = 0.9',
          ...seed,
        ].join('\n') + '\n',
      );
      writeFileSync(join(nodeDir, 'rabbitmq-env.conf'), '');
      writeFileSync(join(nodeDir, 'enabled_plugins'), '[].\n');
      nodes.push(new RabbitNode(name, port, await freePort(), nodeDir, user));
    }
    if (user) {
      await run('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
    }
    const cluster = new RabbitCluster(nodes, dir);
    try {
      const [seed, ...others] = nodes;
      await seed.start();
      await Promise.all(others.map((n) => n.start()));
      await cluster.waitRunning();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** Waits until every node that should run is up and in the cluster (say, rebooted after a kill). */
  async waitRunning(): Promise<void> {
    const up = this.nodes.filter((n) => n.running);
    await until('the nodes running in the cluster', async () => {
      const status = await up[0].ctl('cluster_status', '--formatter', 'json');
      const running = (JSON.parse(status) as { running_nodes: string[] }).running_nodes;
      return up.every((n) => running.includes(n.name));
    });
  }

  /** A transport URL naming the nodes in this order (the client tries them in turn). */
  url(order: RabbitNode[] = this.nodes, vhost = ''): string {
    return `rabbit://${order.map((n) => `guest:guest@127.0.0.1:${n.port}`).join(',')}/${vhost}`;
  }

  /** Kills every node and removes their data and logs. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.nodes.map((n) => n.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
