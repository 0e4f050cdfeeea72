import Redis, { Cluster, type RedisOptions } from 'ioredis';

export interface HostPort {
  host: string;
  port: number;
}

/** Where Redis is: one server, a master found through sentinels, or a cluster. */
export type RedisTopology =
  | { kind: 'server'; server: HostPort }
  | {
      kind: 'sentinel';
      sentinels: HostPort[];
      serviceName: string;
      sentinelUsername?: string;
      sentinelPassword?: string;
    }
  | { kind: 'cluster'; nodes: HostPort[] };

export interface RedisConnectOptions {
  topology: RedisTopology;
  username?: string;
  password?: string;
  /** Ignored by a cluster, which has only database 0. */
  db: number;
  commandTimeoutMs: number;
}

/** What the cache uses of a connection; ioredis's Redis and Cluster both provide it. */
export type RedisConnection = Redis | Cluster;

/** `host:port` (the last colon splits, so the host may hold none). */
export function parseHostPort(text: string): HostPort {
  const at = text.lastIndexOf(':');
  return { host: text.slice(0, at), port: Number(text.slice(at + 1)) };
}

const reconnectDelay = (times: number): number => Math.min(times * 200, 2000);

/**
 * Opens the connection for commands (`purpose: 'commands'`: no offline queue, a
 * command timeout, no retries, so an outage fails fast) or for pub/sub
 * (`'subscriber'`: SUBSCRIBE waits in the offline queue and is replayed after
 * every reconnect or failover).
 */
export function openRedis(
  options: RedisConnectOptions,
  purpose: 'commands' | 'subscriber',
): RedisConnection {
  const commands = purpose === 'commands';
  const auth: RedisOptions = {
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
  };
  const connectTimeout = Math.max(options.commandTimeoutMs, 500);
  const perCommand: RedisOptions = commands
    ? { commandTimeout: options.commandTimeoutMs, maxRetriesPerRequest: 0 }
    : { maxRetriesPerRequest: null };
  const t = options.topology;
  if (t.kind === 'cluster') {
    return new Cluster(t.nodes, {
      enableOfflineQueue: !commands,
      clusterRetryStrategy: reconnectDelay,
      // A moved slot or failed-over node is retried this often, then the command fails
      // (a miss): keeps a failover within about the command timeout.
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      maxRedirections: commands ? Math.max(2, Math.ceil(options.commandTimeoutMs / 100)) : 16,
      slotsRefreshTimeout: connectTimeout,
      redisOptions: { ...auth, ...perCommand, connectTimeout },
    });
  }
  const base: RedisOptions = {
    ...auth,
    ...perCommand,
    db: options.db,
    connectTimeout,
    retryStrategy: reconnectDelay,
    enableOfflineQueue: !commands,
  };
  if (t.kind === 'sentinel') {
    return new Redis({
      ...base,
      sentinels: t.sentinels,
      name: t.serviceName,
      role: 'master',
      ...(t.sentinelUsername ? { sentinelUsername: t.sentinelUsername } : {}),
      ...(t.sentinelPassword ? { sentinelPassword: t.sentinelPassword } : {}),
      sentinelCommandTimeout: connectTimeout,
      sentinelRetryStrategy: reconnectDelay,
      // A demoted master that is still up answers writes with READONLY: reconnect,
      // which asks the sentinels for the new master. (RedisCache watches
      // +switch-master itself: ioredis's failoverDetector, when the message arrives
      // while the client reconnects after a crash, ends that client for good.)
      reconnectOnError: (err: Error) => err.message.startsWith('READONLY'),
    });
  }
  return new Redis({ ...base, ...t.server });
}
