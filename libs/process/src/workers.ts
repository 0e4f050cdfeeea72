import cluster, { type Worker } from 'node:cluster';
import { getLogger } from '@nova/logging';

/** A worker that dies within this many ms of its start is not restarted at once. */
const CRASH_WINDOW_MS = 5_000;
/** Longest pause before restarting a worker that keeps crashing. */
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * The primary of a service with several workers (Nova's `osapi_compute_workers`):
 * forks `count` copies of this process, which share the listening port (Node's
 * cluster), restarts a worker that dies (backing off when it dies young), passes
 * SIGHUP on, and on SIGTERM/SIGINT asks every worker to stop gracefully and exits
 * once they have.
 */
export function superviseWorkers(name: string, count: number): void {
  const log = getLogger(name);
  let stopping = false;
  /** Live workers by cluster id, with when they were forked. */
  const started = new Map<number, number>();
  let crashes = 0;

  const fork = (): void => {
    const worker = cluster.fork();
    started.set(worker.id, Date.now());
  };
  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    const age = Date.now() - (started.get(worker.id) ?? 0);
    started.delete(worker.id);
    if (stopping) {
      if (started.size === 0) {
        log.info(`${name}: every worker stopped`);
        process.exit(0);
      }
      return;
    }
    crashes = age < CRASH_WINDOW_MS ? crashes + 1 : 0;
    const delay = crashes === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 250 * 2 ** crashes);
    log.warn(
      { workerPid: worker.process.pid, code, signal, delayMs: delay },
      'worker died; restarting',
    );
    setTimeout(() => (stopping ? undefined : fork()), delay).unref();
  });
  for (let i = 0; i < count; i++) {
    fork();
  }
  log.info({ workers: count }, `${name} started ${count} workers`);

  const each = (fn: (w: Worker) => void) =>
    Object.values(cluster.workers ?? {}).forEach((w) => w && fn(w));
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    log.info({ signal }, `${name} stopping its workers`);
    each((w) => w.process.kill('SIGTERM'));
    if (started.size === 0) {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => each((w) => w.process.kill('SIGHUP')));
}

/** True in the primary of a service that should fork workers. */
export function isWorkerPrimary(count: number): boolean {
  return count > 1 && cluster.isPrimary;
}
