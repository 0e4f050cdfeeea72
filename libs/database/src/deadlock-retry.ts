import { backOff } from 'exponential-backoff';
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
