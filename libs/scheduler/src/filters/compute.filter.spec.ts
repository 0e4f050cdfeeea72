import { makeHost, makeSpec } from '../testing/fixtures';
import { ComputeFilter } from './compute.filter';

describe('ComputeFilter', () => {
  const spec = makeSpec();

  it('passes an enabled host whose service is up', () => {
    expect(ComputeFilter.hostPasses(makeHost('a'), spec)).toBe(true);
  });

  it('drops a host whose service is down', () => {
    expect(ComputeFilter.hostPasses(makeHost('a', { serviceUp: false }), spec)).toBe(false);
  });

  it('drops a disabled host', () => {
    expect(ComputeFilter.hostPasses(makeHost('a', { serviceDisabled: true }), spec)).toBe(false);
  });
});
