import type { DataSource } from 'typeorm';

/** A pooled mysql2 connection as its pool keeps it (set on every release). */
interface PooledConnection {
  lastActiveTime: number;
  destroy(): void;
}

/** The part of mysql2's pool the sweep reads: its free list, least recently used first. */
interface Mysql2Pool {
  _freeConnections?: { length: number; get(index: number): PooledConnection | undefined };
}

const sweeps = new WeakMap<DataSource, NodeJS.Timeout>();

/**
 * Close a MySQL pool's connections once idle for `idleMs` (`connection_recycle_time`).
 *
 * mysql2's own idle timer runs only with `maxIdle` below the pool's limit, and
 * each second it also closes every free connection above `maxIdle`, however
 * recently used. Under more concurrent queries than `maxIdle` (8 clients on two
 * API workers, three cell pools each) that reconnected about 6 times a second.
 * The pools keep `maxIdle` at their limit, so that timer never runs, and this
 * sweep closes only the connections idle for longer than `idleMs`.
 */
export function sweepIdleConnections(ds: DataSource, idleMs: number): void {
  const pool = (ds.driver as unknown as { pool?: Mysql2Pool }).pool;
  const free = pool?._freeConnections;
  if (ds.options.type !== 'mysql' || !free || sweeps.has(ds)) {
    return;
  }
  const sweep = () => {
    // The front of the free list is the connection released longest ago.
    let oldest = free.get(0);
    while (oldest && Date.now() - oldest.lastActiveTime > idleMs) {
      oldest.destroy(); // takes it off the free list
      const next = free.get(0);
      if (next === oldest) {
        return;
      }
      oldest = next;
    }
  };
  const timer = setInterval(sweep, Math.max(100, Math.min(idleMs / 2, 30_000)));
  timer.unref();
  sweeps.set(ds, timer);
}

/** Stop a DataSource's sweep (it is closing). */
export function stopSweepingIdleConnections(ds: DataSource): void {
  clearInterval(sweeps.get(ds));
  sweeps.delete(ds);
}
