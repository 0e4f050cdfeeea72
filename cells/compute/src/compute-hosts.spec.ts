import { computeHostNames } from './compute-hosts';

describe('computeHostNames', () => {
  it('is [DEFAULT] host for one host', () => {
    expect(computeHostNames('cmp', 1)).toEqual(['cmp']);
  });

  it('numbers the hosts from 1 when a process runs several', () => {
    expect(computeHostNames('cmp', 3)).toEqual(['cmp-1', 'cmp-2', 'cmp-3']);
  });
});
