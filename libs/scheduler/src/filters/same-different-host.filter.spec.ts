import { makeHost, makeSpec } from '../testing/fixtures';
import { DifferentHostFilter } from './different-host.filter';
import { SameHostFilter } from './same-host.filter';

describe('SameHostFilter / DifferentHostFilter', () => {
  const withA = makeHost('h1', { instances: ['a', 'b'] });
  const withC = makeHost('h2', { instances: ['c'] });
  const empty = makeHost('h3');

  it('pass every host without hints', () => {
    for (const h of [withA, withC, empty]) {
      expect(SameHostFilter.hostPasses(h, makeSpec())).toBe(true);
      expect(DifferentHostFilter.hostPasses(h, makeSpec({ schedulerHints: {} }))).toBe(true);
    }
  });

  it('same_host: passes hosts running any of the listed instances', () => {
    const spec = makeSpec({ schedulerHints: { same_host: ['a', 'x'] } });
    expect(SameHostFilter.hostPasses(withA, spec)).toBe(true);
    expect(SameHostFilter.hostPasses(withC, spec)).toBe(false);
    expect(SameHostFilter.hostPasses(empty, spec)).toBe(false);
  });

  it('different_host: drops hosts running any of the listed instances', () => {
    const spec = makeSpec({ schedulerHints: { different_host: ['a', 'c'] } });
    expect(DifferentHostFilter.hostPasses(withA, spec)).toBe(false);
    expect(DifferentHostFilter.hostPasses(withC, spec)).toBe(false);
    expect(DifferentHostFilter.hostPasses(empty, spec)).toBe(true);
  });
});
