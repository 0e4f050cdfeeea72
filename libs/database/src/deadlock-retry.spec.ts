import { retryOnDeadlock } from './deadlock-retry';

describe('retryOnDeadlock', () => {
  it('runs a deadlock victim again until it succeeds', async () => {
    let calls = 0;
    const result = await retryOnDeadlock(async () => {
      calls += 1;
      if (calls < 3) {
        throw Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK' });
      }
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('passes other errors through at once', async () => {
    let calls = 0;
    await expect(
      retryOnDeadlock(async () => {
        calls += 1;
        throw Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY' });
      }),
    ).rejects.toThrow('Duplicate entry');
    expect(calls).toBe(1);
  });

  it('gives up after the given attempts', async () => {
    let calls = 0;
    await expect(
      retryOnDeadlock(async () => {
        calls += 1;
        throw Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK' });
      }, 3),
    ).rejects.toThrow('Deadlock found');
    expect(calls).toBe(3);
  });
});
