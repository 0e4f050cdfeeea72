import { narrowCandidates, needsEveryHost } from './candidates';
import { makeHost, makeSpec, resource } from './testing/fixtures';

describe('narrowCandidates', () => {
  const hosts = Array.from({ length: 10 }, (_, i) => makeHost(`h${i}`));

  it('takes at most `limit` hosts, walking on from a random start', () => {
    const picked = narrowCandidates(makeSpec(), hosts, 3, () => 0.85);
    expect(picked.map((h) => h.host)).toEqual(['h8', 'h9', 'h0']);
  });

  it('skips hosts that are down, disabled or have no room for one instance', () => {
    const mixed = [
      makeHost('down', { serviceUp: false }),
      makeHost('disabled', { serviceDisabled: true }),
      makeHost('full', { resources: { VCPU: resource(4, 4) } }),
      makeHost('ok1'),
      makeHost('ok2'),
    ];
    expect(narrowCandidates(makeSpec(), mixed, 2, () => 0).map((h) => h.host)).toEqual([
      'ok1',
      'ok2',
    ]);
  });

  it('keeps to the requested cell', () => {
    const twoCells = hosts.map((h, i) => ({ ...h, cellUuid: i % 2 ? 'odd' : 'even' }));
    const spec = makeSpec({ requestedDestination: { cellUuid: 'odd' } });
    expect(narrowCandidates(spec, twoCells, 2, () => 0).map((h) => h.host)).toEqual(['h1', 'h3']);
  });

  it('hands every host to requests that name hosts or want to be near instances', () => {
    const group = { uuid: 'g', policy: 'affinity' as const, members: [], hosts: [] };
    for (const spec of [
      makeSpec({ forceHosts: ['h1'] }),
      makeSpec({ requestedDestination: { host: 'h9' } }),
      makeSpec({ schedulerHints: { same_host: ['i'] } }),
      makeSpec({ instanceGroup: group }),
    ]) {
      expect(needsEveryHost(spec)).toBe(true);
      expect(narrowCandidates(spec, hosts, 2)).toHaveLength(10);
    }
    expect(needsEveryHost(makeSpec({ instanceGroup: { ...group, policy: 'anti-affinity' } }))).toBe(
      false,
    );
  });
});
