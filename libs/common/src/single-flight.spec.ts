import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('runs the work once for concurrent callers and shares the result', async () => {
    const flight = new SingleFlight<string, number>();
    let runs = 0;
    const work = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 10));
      return 42;
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => flight.run('k', work)));
    expect(results.every((r) => r === 42)).toBe(true);
    expect(runs).toBe(1);
    expect(flight.size).toBe(0);
  });

  it('shares a failure with the waiters, then lets the next call retry', async () => {
    const flight = new SingleFlight<string, number>();
    let runs = 0;
    const failing = async () => {
      runs++;
      await Promise.resolve();
      throw new Error('down');
    };
    await expect(Promise.all([flight.run('k', failing), flight.run('k', failing)])).rejects.toThrow(
      'down',
    );
    expect(runs).toBe(1);
    await expect(flight.run('k', async () => 7)).resolves.toBe(7);
  });
});
