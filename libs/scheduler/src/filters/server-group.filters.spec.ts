import type { GroupPolicy } from '../request-spec';
import { makeHost, makeSpec } from '../testing/fixtures';
import { ServerGroupAffinityFilter } from './server-group-affinity.filter';
import { ServerGroupAntiAffinityFilter } from './server-group-anti-affinity.filter';

const group = (policy: GroupPolicy, members: string[], hosts: string[], max?: number) => ({
  uuid: 'g',
  policy,
  members,
  hosts,
  ...(max === undefined ? {} : { rules: { max_server_per_host: max } }),
});

describe('ServerGroupAffinityFilter', () => {
  const h1 = makeHost('h1', { instances: ['m1'] });
  const h2 = makeHost('h2');

  it('passes every host without a group or for other policies', () => {
    expect(ServerGroupAffinityFilter.hostPasses(h2, makeSpec())).toBe(true);
    const spec = makeSpec({ instanceGroup: group('anti-affinity', ['m1'], ['h1']) });
    expect(ServerGroupAffinityFilter.hostPasses(h2, spec)).toBe(true);
  });

  it('passes every host while the group has no member placed', () => {
    const spec = makeSpec({ instanceGroup: group('affinity', ['new'], []) });
    expect(ServerGroupAffinityFilter.hostPasses(h2, spec)).toBe(true);
  });

  it("passes only the hosts of the group's members", () => {
    const spec = makeSpec({ instanceGroup: group('affinity', ['m1'], ['h1']) });
    expect(ServerGroupAffinityFilter.hostPasses(h1, spec)).toBe(true);
    expect(ServerGroupAffinityFilter.hostPasses(h2, spec)).toBe(false);
  });
});

describe('ServerGroupAntiAffinityFilter', () => {
  const h1 = makeHost('h1', { instances: ['m1', 'm2', 'other'] });
  const h2 = makeHost('h2', { instances: ['other'] });

  it('passes every host without a group or for other policies', () => {
    expect(ServerGroupAntiAffinityFilter.hostPasses(h1, makeSpec())).toBe(true);
    const spec = makeSpec({ instanceGroup: group('soft-anti-affinity', ['m1'], ['h1']) });
    expect(ServerGroupAntiAffinityFilter.hostPasses(h1, spec)).toBe(true);
  });

  it('drops hosts holding a member (max_server_per_host defaults to 1)', () => {
    const spec = makeSpec({ instanceGroup: group('anti-affinity', ['m1'], ['h1']) });
    expect(ServerGroupAntiAffinityFilter.hostPasses(h1, spec)).toBe(false);
    expect(ServerGroupAntiAffinityFilter.hostPasses(h2, spec)).toBe(true);
  });

  it('allows up to max_server_per_host members per host', () => {
    const two = makeSpec({ instanceGroup: group('anti-affinity', ['m1', 'm2'], ['h1'], 2) });
    expect(ServerGroupAntiAffinityFilter.hostPasses(h1, two)).toBe(false);
    const three = makeSpec({ instanceGroup: group('anti-affinity', ['m1', 'm2'], ['h1'], 3) });
    expect(ServerGroupAntiAffinityFilter.hostPasses(h1, three)).toBe(true);
  });

  it("counts a host listed in the group's hosts even without its instance list", () => {
    const bare = makeHost('h3');
    const spec = makeSpec({ instanceGroup: group('anti-affinity', ['m9'], ['h3']) });
    expect(ServerGroupAntiAffinityFilter.hostPasses(bare, spec)).toBe(false);
  });
});
