import { VifEvents } from './vif-events';

describe('VifEvents', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('is plugged once every port has reported, even events that came before the wait', async () => {
    const events = new VifEvents();
    const wait = events.expect('vm', ['p1', 'p2']);
    expect(events.deliver('vm', 'p1', 'completed')).toBe(true);
    const outcome = wait(60_000);
    expect(events.deliver('vm', 'p2', 'completed')).toBe(true);
    await expect(outcome).resolves.toBe('plugged');
    // Nothing waits any more.
    expect(events.deliver('vm', 'p2', 'completed')).toBe(false);
  });

  it('fails on a failed event and times out without one', async () => {
    const events = new VifEvents();
    const failed = events.expect('a', ['p1'])(60_000);
    events.deliver('a', 'p1', 'failed');
    await expect(failed).resolves.toBe('failed');

    const silent = events.expect('b', ['p1'])(1000);
    expect(events.deliver('b', 'other-port', 'completed')).toBe(false);
    jest.advanceTimersByTime(1000);
    await expect(silent).resolves.toBe('timeout');
  });

  it('forgets a build that ended another way', () => {
    const events = new VifEvents();
    events.expect('vm', ['p1']);
    events.forget('vm');
    expect(events.deliver('vm', 'p1', 'completed')).toBe(false);
  });
});
