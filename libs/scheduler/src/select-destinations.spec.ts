import { Invalid } from '@nova/common';
import type { HostState } from './host-state';
import { NoValidHost } from './no-valid-host';
import type { GroupPolicy } from './request-spec';
import { selectDestinations } from './select-destinations';
import { instanceIds, makeConfig, makeHost, makeSpec, resource } from './testing/fixtures';

/** A host with `ramFree` MiB free of 16 GiB, plenty of CPU and disk. */
const host = (name: string, ramFree = 16384, extra: Parameters<typeof makeHost>[1] = {}) =>
  makeHost(name, {
    resources: {
      VCPU: resource(64),
      MEMORY_MB: resource(16384, 16384 - ramFree),
      DISK_GB: resource(1000),
    },
    ...extra,
  });

const names = (hosts: readonly HostState[]) => hosts.map((h) => h.host);
const count = (list: string[]) =>
  list.reduce<Record<string, number>>((acc, n) => ({ ...acc, [n]: (acc[n] ?? 0) + 1 }), {});
const group = (
  policy: GroupPolicy,
  extra: { hosts?: string[]; members?: string[]; max?: number } = {},
) => ({
  uuid: 'g1',
  policy,
  members: extra.members ?? [],
  hosts: extra.hosts ?? [],
  ...(extra.max === undefined ? {} : { rules: { max_server_per_host: extra.max } }),
});

describe('selectDestinations', () => {
  it('selects the best weighed host and lists alternates best first', () => {
    const hosts = [host('a', 4096), host('b', 16384), host('c', 8192), host('d', 2048)];
    const [selection] = selectDestinations(makeSpec(), hosts, makeConfig());
    expect(selection?.instanceUuid).toBe('inst-0');
    expect(selection?.selected.host).toBe('b');
    expect(names(selection?.alternates ?? [])).toEqual(['c', 'a']); // max_attempts 3
    expect(names(selection?.candidates ?? [])).toEqual(['b', 'c', 'a']);
  });

  it("checks a rebuild's image on the server's full host with the image filters only", () => {
    const full = host('full', 0); // its memory is the server's own: the fit does not count
    const spec = (arch: string) =>
      makeSpec({
        image: { properties: { hw_architecture: arch } },
        requestedDestination: { host: 'full' },
        isRebuild: true,
      });
    expect(
      names(selectDestinations(spec('x86_64'), [full], makeConfig()).map((s) => s.selected)),
    ).toEqual(['full']);
    expect(() => selectDestinations(spec('aarch64'), [full], makeConfig())).toThrow(NoValidHost);
    expect(() =>
      selectDestinations({ ...spec('x86_64'), isRebuild: false }, [full], makeConfig()),
    ).toThrow(NoValidHost);
  });

  it('gives max_attempts - 1 alternates, none when max_attempts is 1', () => {
    const hosts = ['a', 'b', 'c', 'd', 'e'].map((n) => host(n));
    expect(
      selectDestinations(makeSpec(), hosts, makeConfig({ maxAttempts: 5 }))[0]?.alternates,
    ).toHaveLength(4);
    expect(
      selectDestinations(makeSpec(), hosts, makeConfig({ maxAttempts: 1 }))[0]?.alternates,
    ).toEqual([]);
  });

  it("takes alternates from the selected host's cell only", () => {
    const hosts = [
      host('c1-best', 16000, { cellUuid: 'cell1' }),
      host('c2-good', 15000, { cellUuid: 'cell2' }),
      host('c1-ok', 8000, { cellUuid: 'cell1' }),
      host('c2-ok', 7000, { cellUuid: 'cell2' }),
      host('c1-low', 1000, { cellUuid: 'cell1' }),
    ];
    const [selection] = selectDestinations(makeSpec(), hosts, makeConfig());
    expect(selection?.selected.host).toBe('c1-best');
    expect(names(selection?.alternates ?? [])).toEqual(['c1-ok', 'c1-low']);
  });

  it('spreads a multi-instance request by consuming resources in memory', () => {
    const hosts = ['a', 'b', 'c', 'd'].map((n) => host(n));
    const spec = makeSpec({ instanceUuids: instanceIds(8), flavor: { memory_mb: 1024 } });
    const selections = selectDestinations(spec, hosts, makeConfig());
    expect(selections.map((s) => s.instanceUuid)).toEqual(instanceIds(8));
    expect(count(selections.map((s) => s.selected.host))).toEqual({ a: 2, b: 2, c: 2, d: 2 });
    for (const h of hosts) {
      expect(h.resources.MEMORY_MB?.used).toBe(2048);
      expect(h.resources.VCPU?.used).toBe(2);
      expect(h.resources.DISK_GB?.used).toBe(2);
      expect(h.numInstances).toBe(2);
    }
    expect([...(hosts[0]?.instances ?? [])]).toEqual(['inst-0', 'inst-4']);
  });

  it('places min_count=100 over many hosts without overfilling any', () => {
    const hosts = Array.from({ length: 30 }, (_, i) => host(`h${i}`, 4096));
    const spec = makeSpec({ instanceUuids: instanceIds(100), flavor: { memory_mb: 1024 } });
    const selections = selectDestinations(spec, hosts, makeConfig());
    const perHost = count(selections.map((s) => s.selected.host));
    expect(Object.keys(perHost)).toHaveLength(30);
    expect(Math.max(...Object.values(perHost))).toBeLessThanOrEqual(4);
    expect(hosts.every((h) => (h.resources.MEMORY_MB?.used ?? 0) <= 16384)).toBe(true);
  });

  it('stacks with a negative RAM multiplier', () => {
    const hosts = ['a', 'b'].map((n) => host(n, 4096));
    const spec = makeSpec({ instanceUuids: instanceIds(5), flavor: { memory_mb: 1024 } });
    const config = makeConfig({
      weights: { ram: -1, cpu: 0, disk: 0, softAffinity: 1, softAntiAffinity: 1 },
    });
    const selected = selectDestinations(spec, hosts, config).map((s) => s.selected.host);
    expect(selected).toEqual(['a', 'a', 'a', 'a', 'b']);
  });

  it('raises NoValidHost when the request does not fit, naming the instance and the filter', () => {
    const hosts = ['a', 'b'].map((n) => host(n, 2048));
    const spec = makeSpec({ instanceUuids: instanceIds(5), flavor: { memory_mb: 1024 } });
    let error: unknown;
    try {
      selectDestinations(spec, hosts, makeConfig());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NoValidHost);
    const e = error as NoValidHost;
    expect(e.message).toBe('No valid host was found. There are not enough hosts available.');
    expect(e.instanceIndex).toBe(4);
    expect(e.filterCounts.at(-1)).toEqual({ filter: 'ResourceFitFilter', hosts: 0 });
  });

  it('raises NoValidHost when there are no hosts or every host is filtered out', () => {
    expect(() => selectDestinations(makeSpec(), [], makeConfig())).toThrow(NoValidHost);
    const down = [host('a', 16384, { serviceUp: false })];
    expect(() => selectDestinations(makeSpec(), down, makeConfig())).toThrow(
      expect.objectContaining({ filterCounts: [{ filter: 'ComputeFilter', hosts: 0 }] }),
    );
  });

  it('places the instances of an anti-affinity group on different hosts', () => {
    const hosts = ['a', 'b', 'c'].map((n) => host(n));
    const ids = instanceIds(3);
    const spec = makeSpec({
      instanceUuids: ids,
      instanceGroup: group('anti-affinity', { members: ids }),
    });
    const selected = selectDestinations(spec, hosts, makeConfig()).map((s) => s.selected.host);
    expect(new Set(selected).size).toBe(3);
    // The caller's group is left as it was.
    expect(spec.instanceGroup?.hosts).toEqual([]);
  });

  it('refuses more anti-affinity instances than hosts', () => {
    const hosts = ['a', 'b', 'c'].map((n) => host(n));
    const spec = makeSpec({ instanceUuids: instanceIds(4), instanceGroup: group('anti-affinity') });
    expect(() => selectDestinations(spec, hosts, makeConfig())).toThrow(
      expect.objectContaining({
        instanceIndex: 3,
        filterCounts: expect.arrayContaining([
          { filter: 'ServerGroupAntiAffinityFilter', hosts: 0 },
        ]),
      }),
    );
  });

  it('honours max_server_per_host within one request', () => {
    const hosts = ['a', 'b'].map((n) => host(n));
    const spec = makeSpec({
      instanceUuids: instanceIds(4),
      instanceGroup: group('anti-affinity', { max: 2 }),
    });
    const selected = selectDestinations(spec, hosts, makeConfig()).map((s) => s.selected.host);
    expect(count(selected)).toEqual({ a: 2, b: 2 });
    const five = makeSpec({
      instanceUuids: instanceIds(5, 'x'),
      instanceGroup: group('anti-affinity', { max: 2 }),
    });
    expect(() =>
      selectDestinations(
        five,
        ['a', 'b'].map((n) => host(n)),
        makeConfig(),
      ),
    ).toThrow(NoValidHost);
  });

  it('avoids hosts already holding members of the anti-affinity group', () => {
    const hosts = [host('a', 16384, { instances: ['old'] }), host('b', 1024)];
    const spec = makeSpec({
      instanceGroup: group('anti-affinity', { members: ['old'], hosts: ['a'] }),
    });
    expect(selectDestinations(spec, hosts, makeConfig())[0]?.selected.host).toBe('b');
  });

  it('keeps an affinity group together, on the first member host', () => {
    const hosts = ['a', 'b', 'c'].map((n) => host(n));
    const spec = makeSpec({ instanceUuids: instanceIds(3), instanceGroup: group('affinity') });
    const selections = selectDestinations(spec, hosts, makeConfig());
    expect(new Set(selections.map((s) => s.selected.host)).size).toBe(1);
    // Only the group's host can be an alternate for the later instances.
    expect(selections[1]?.alternates).toEqual([]);
  });

  it('follows an affinity group to its existing host, or finds none', () => {
    const hosts = [host('a'), host('b', 1024)];
    const spec = makeSpec({ instanceGroup: group('affinity', { hosts: ['b'] }) });
    expect(selectDestinations(spec, hosts, makeConfig())[0]?.selected.host).toBe('b');
    const full = makeSpec({
      flavor: { memory_mb: 2048 },
      instanceGroup: group('affinity', { hosts: ['b'] }),
    });
    expect(() => selectDestinations(full, [host('a'), host('b', 1024)], makeConfig())).toThrow(
      NoValidHost,
    );
  });

  it('prefers member hosts for soft-affinity and spreads soft-anti-affinity', () => {
    const soft = makeSpec({
      instanceUuids: instanceIds(2),
      instanceGroup: group('soft-affinity', { members: ['m'], hosts: ['b'] }),
    });
    const weights = { ram: 1, cpu: 1, disk: 1, softAffinity: 10, softAntiAffinity: 10 };
    const selected = (spec: ReturnType<typeof makeSpec>) =>
      selectDestinations(
        spec,
        [host('a'), host('b', 8192, { instances: ['m'] })],
        makeConfig({ weights }),
      ).map((s) => s.selected.host);
    expect(selected(soft)).toEqual(['b', 'b']);
    const antiSpec = makeSpec({
      instanceUuids: instanceIds(2),
      instanceGroup: group('soft-anti-affinity', { members: ['m'], hosts: ['b'] }),
    });
    expect(selected(antiSpec)).toEqual(['a', 'b']);
  });

  it('picks at random among the best host_subset_size hosts', () => {
    const hosts = () => [host('a', 16000), host('b', 15000), host('c', 1000)];
    const config = makeConfig({ hostSubsetSize: 2 });
    const pick = (r: number) =>
      selectDestinations(makeSpec(), hosts(), config, { random: () => r })[0]?.selected.host;
    expect(pick(0)).toBe('a');
    expect(pick(0.49)).toBe('a');
    expect(pick(0.5)).toBe('b');
    expect(pick(0.999)).toBe('b');
    // Larger than the host list: any host may be picked.
    const all = makeConfig({ hostSubsetSize: 10 });
    expect(
      selectDestinations(makeSpec(), hosts(), all, { random: () => 0.99 })[0]?.selected.host,
    ).toBe('c');
    // The other good hosts stay alternates.
    expect(
      names(
        selectDestinations(makeSpec(), hosts(), config, { random: () => 0.7 })[0]?.alternates ?? [],
      ),
    ).toEqual(['a', 'c']);
  });

  it('skips ignored hosts (reschedules)', () => {
    const hosts = [host('a'), host('b', 1024)];
    const spec = makeSpec({ ignoreHosts: ['a'] });
    const [selection] = selectDestinations(spec, hosts, makeConfig());
    expect(selection?.selected.host).toBe('b');
    expect(selection?.alternates).toEqual([]);
  });

  it('sends forced hosts past the filters but not past the resource fit', () => {
    const disabled = host('a', 16384, { serviceDisabled: true, availabilityZone: 'az9' });
    const spec = makeSpec({ forceHosts: ['A'], availabilityZone: 'az1' });
    expect(selectDestinations(spec, [disabled, host('b')], makeConfig())[0]?.selected.host).toBe(
      'a',
    );
    const tooBig = makeSpec({ forceHosts: ['a'], flavor: { memory_mb: 32768 } });
    expect(() => selectDestinations(tooBig, [host('a'), host('b')], makeConfig())).toThrow(
      NoValidHost,
    );
  });

  it('matches forced nodes', () => {
    const hosts = [host('h', 16384, { nodename: 'n1' }), host('h', 8192, { nodename: 'n2' })];
    const spec = makeSpec({ forceHosts: ['h'], forceNodes: ['n2'] });
    expect(selectDestinations(spec, hosts, makeConfig())[0]?.selected.nodename).toBe('n2');
  });

  it('restricts to a requested destination and still runs the filters', () => {
    const hosts = [host('a'), host('b', 4096), host('c', 4096, { serviceDisabled: true })];
    expect(
      selectDestinations(makeSpec({ requestedDestination: { host: 'b' } }), hosts, makeConfig())[0]
        ?.selected.host,
    ).toBe('b');
    expect(() =>
      selectDestinations(makeSpec({ requestedDestination: { host: 'c' } }), hosts, makeConfig()),
    ).toThrow(NoValidHost);
    const cells = [host('x', 16384, { cellUuid: 'c1' }), host('y', 100, { cellUuid: 'c2' })];
    expect(
      selectDestinations(
        makeSpec({ requestedDestination: { cellUuid: 'c2' }, flavor: { memory_mb: 64 } }),
        cells,
        makeConfig(),
      )[0]?.selected.host,
    ).toBe('y');
  });

  it('runs the configured filters only (the resource fit always)', () => {
    const hosts = [host('a', 16384, { serviceUp: false }), host('b', 256)];
    const config = makeConfig({ enabledFilters: ['AvailabilityZoneFilter'] });
    expect(selectDestinations(makeSpec(), hosts, config)[0]?.selected.host).toBe('a');
    const big = makeSpec({ flavor: { memory_mb: 20000 } });
    expect(() => selectDestinations(big, hosts, config)).toThrow(NoValidHost);
  });

  it('applies the once-per-request filters to every instance', () => {
    const hosts = [
      host('a', 16384, { availabilityZone: 'az2' }),
      host('b', 4096, { availabilityZone: 'az1' }),
    ];
    const spec = makeSpec({
      instanceUuids: instanceIds(3),
      availabilityZone: 'az1',
      flavor: { memory_mb: 1024 },
    });
    expect(selectDestinations(spec, hosts, makeConfig()).map((s) => s.selected.host)).toEqual([
      'b',
      'b',
      'b',
    ]);
  });

  it('rejects a spec whose num_instances does not match its uuids, and unknown filters', () => {
    const spec = { ...makeSpec({ instanceUuids: instanceIds(2) }), numInstances: 3 };
    expect(() => selectDestinations(spec, [host('a')], makeConfig())).toThrow(Invalid);
    expect(() =>
      selectDestinations(makeSpec(), [host('a')], makeConfig({ enabledFilters: ['CoreFilter'] })),
    ).toThrow(Invalid);
  });
});
