import { isDeadlockError, isDuplicateKeyError } from './db-errors';

describe('database error classes', () => {
  it.each([
    [{ code: 'ER_LOCK_DEADLOCK', errno: 1213 }],
    [{ code: 'ER_AUTOINC_READ_FAILED', errno: 1467 }],
    [{ driverError: { code: 'SQLITE_BUSY' } }],
  ])('%j is a deadlock to retry', (err) => {
    expect(isDeadlockError(err)).toBe(true);
  });

  it.each([[{ code: 'ER_DUP_ENTRY', errno: 1062 }], [new Error('boom')], [null], ['text']])(
    '%j is not a deadlock',
    (err) => {
      expect(isDeadlockError(err)).toBe(false);
    },
  );

  it('knows duplicate keys from MySQL and SQLite', () => {
    expect(isDuplicateKeyError({ code: 'ER_DUP_ENTRY' })).toBe(true);
    expect(isDuplicateKeyError(new Error('UNIQUE constraint failed: key_pairs.name'))).toBe(true);
    expect(isDuplicateKeyError({ code: 'ER_LOCK_DEADLOCK' })).toBe(false);
  });
});

describe('isDeadlockError on Galera', () => {
  it('retries a node that is not ready for writes, but not other 1047 errors', () => {
    expect(
      isDeadlockError(
        Object.assign(new Error('WSREP has not yet prepared node for application use'), {
          errno: 1047,
        }),
      ),
    ).toBe(true);
    expect(isDeadlockError(Object.assign(new Error('Unknown command'), { errno: 1047 }))).toBe(
      false,
    );
  });
});
