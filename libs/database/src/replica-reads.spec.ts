import type { DataSource } from 'typeorm';
import { isReplicaUnusable, REPLICA_RETRY_MS, ReplicaReads, replicaUrlFor } from './replica-reads';

const primary = { name: 'primary' } as unknown as DataSource;
const replica = { name: 'replica', isInitialized: false } as unknown as DataSource;
const nameOf = (ds: DataSource) => Promise.resolve((ds as unknown as { name: string }).name);

describe('ReplicaReads', () => {
  afterEach(() => jest.useRealTimers());

  it('runs reads on the replica, opened once', async () => {
    const open = jest.fn(() => Promise.resolve(replica));
    const reads = new ReplicaReads('mysql://u@r/db', open, 'api');
    expect(await reads.run(() => Promise.resolve(primary), nameOf)).toBe('replica');
    expect(await reads.run(() => Promise.resolve(primary), nameOf)).toBe('replica');
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('reads the primary while the replica cannot be opened, and tries it again later', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const open = jest
      .fn<Promise<DataSource>, [string]>()
      .mockRejectedValueOnce(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))
      .mockResolvedValue(replica);
    const reads = new ReplicaReads('mysql://u@r/db', open, 'api');
    expect(await reads.run(() => Promise.resolve(primary), nameOf)).toBe('primary');
    expect(await reads.run(() => Promise.resolve(primary), nameOf)).toBe('primary');
    expect(open).toHaveBeenCalledTimes(1);
    jest.setSystemTime(1_000_000 + REPLICA_RETRY_MS);
    expect(await reads.run(() => Promise.resolve(primary), nameOf)).toBe('replica');
  });

  it('runs a read again on the primary when the replica fails it as unusable, not otherwise', async () => {
    const reads = new ReplicaReads('mysql://u@r/db', () => Promise.resolve(replica), 'api');
    const lostOnReplica = (ds: DataSource) =>
      ds === replica
        ? Promise.reject(Object.assign(new Error('lost'), { code: 'PROTOCOL_CONNECTION_LOST' }))
        : nameOf(ds);
    expect(await reads.run(() => Promise.resolve(primary), lostOnReplica)).toBe('primary');

    const other = new ReplicaReads('mysql://u@r/db', () => Promise.resolve(replica), 'api');
    const badSql = () => Promise.reject(Object.assign(new Error('syntax'), { errno: 1064 }));
    await expect(other.run(() => Promise.resolve(primary), badSql)).rejects.toThrow('syntax');
  });
});

describe('isReplicaUnusable', () => {
  it('knows connection failures and a replica without the schema', () => {
    expect(isReplicaUnusable({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isReplicaUnusable({ driverError: { code: 'ETIMEDOUT' } })).toBe(true);
    expect(isReplicaUnusable({ errno: 1146 })).toBe(true);
    expect(isReplicaUnusable({ errno: 1062 })).toBe(false);
    expect(isReplicaUnusable('nope')).toBe(false);
  });
});

describe('replicaUrlFor', () => {
  it('ignores a replica for a SQLite primary, and none configured', () => {
    expect(replicaUrlFor('sqlite:////tmp/x.db', 'mysql://u@r/db', '[database]')).toBeUndefined();
    expect(replicaUrlFor('mysql://u@p/db', undefined, '[database]')).toBeUndefined();
    expect(replicaUrlFor('mysql://u@p/db', 'mysql://u@r/db', '[database]')).toBe('mysql://u@r/db');
  });
});
