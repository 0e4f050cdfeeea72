import { backOff } from 'exponential-backoff';
import type { DataSource, EntityManager } from 'typeorm';
import { isDeadlockError } from './db-errors';

/**
 * Run a statement again when the database picked it as a deadlock victim: the
 * statement was rolled back whole, so running it again is safe. Other errors
 * pass through at once.
 */
export function retryOnDeadlock<T>(statement: () => Promise<T>, attempts = 8): Promise<T> {
  return backOff(statement, {
    numOfAttempts: attempts,
    startingDelay: 2,
    maxDelay: 100,
    jitter: 'full',
    retry: (err: unknown) => isDeadlockError(err),
  });
}

/**
 * A write transaction that runs again, whole, when the database rolls it back
 * as a deadlock victim or (Galera, group replication) on a certification
 * conflict with a write committed on another node, which MariaDB reports as the
 * same error. `work` must touch nothing but `tx`: it may run more than once.
 */
export function writeTransaction<T>(
  dataSource: DataSource,
  work: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  return retryOnDeadlock(() => dataSource.transaction(work));
}
