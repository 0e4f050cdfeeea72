import type { GroupPolicy } from '../request-spec';
import { makeHost, makeSpec, resource } from '../testing/fixtures';
import { multiplierFor } from './host-weigher';
import { CPUWeigher, DiskWeigher, RAMWeigher } from './resource.weighers';
import {
  ServerGroupSoftAffinityWeigher,
  ServerGroupSoftAntiAffinityWeigher,
} from './server-group.weighers';
import { bestIndexes, buildWeighers, hostWeights, weighHosts } from './index';

const sized = (name: string, vcpuFree: number, ramFree: number, diskFree: number) =>
  makeHost(name, {
    resources: {
      VCPU: resource(64, 64 - vcpuFree),
      MEMORY_MB: resource(65536, 65536 - ramFree),
      DISK_GB: resource(4000, 4000 - diskFree),
    },
  });

const only = (m: Partial<Parameters<typeof buildWeighers>[0]>) =>
  buildWeighers({ ram: 0, cpu: 0, disk: 0, softAffinity: 0, softAntiAffinity: 0, ...m });

describe('hostWeights: each weigher normalized across the hosts', () => {
  const spec = makeSpec();
  const ramOf = (...free: number[]) =>
    hostWeights(
      only({ ram: 1 }),
      free.map((f, i) => sized(`n${i}`, 1, f, 1)),
      spec,
    );

  it('maps the lowest to 0 and the highest to 1', () => {
    expect(ramOf(10, 20, 15)).toEqual([0, 1, 0.5]);
  });

  it('gives all 0 when the weigher cannot tell hosts apart', () => {
    expect(ramOf(7, 7, 7)).toEqual([0, 0, 0]);
    expect(ramOf(5)).toEqual([0]);
    expect(ramOf()).toEqual([]);
  });
});

describe('resource weighers', () => {
  const spec = makeSpec();
  const h = sized('h', 3, 2048, 100);

  it('weigh free vCPUs, RAM and disk', () => {
    expect(CPUWeigher.weigh(h, spec)).toBe(3);
    expect(RAMWeigher.weigh(h, spec)).toBe(2048);
    expect(DiskWeigher.weigh(h, spec)).toBe(100);
  });

  it('count overcommit into free capacity', () => {
    const over = makeHost('o', {
      resources: { VCPU: resource(4, 6, { allocationRatio: 4 }) },
    });
    expect(CPUWeigher.weigh(over, spec)).toBe(10);
    expect(RAMWeigher.weigh(over, spec)).toBe(0); // no inventory: nothing free
  });
});

describe('server group weighers', () => {
  const spec = (policy: GroupPolicy) =>
    makeSpec({ instanceGroup: { uuid: 'g', policy, members: ['m1', 'm2'], hosts: ['h1'] } });
  const h1 = makeHost('h1', { instances: ['m1', 'm2', 'x'] });
  const h2 = makeHost('h2', { instances: ['x'] });

  it('soft-affinity weighs hosts by members held', () => {
    expect(ServerGroupSoftAffinityWeigher.weigh(h1, spec('soft-affinity'))).toBe(2);
    expect(ServerGroupSoftAffinityWeigher.weigh(h2, spec('soft-affinity'))).toBe(0);
    expect(ServerGroupSoftAffinityWeigher.weigh(h1, spec('soft-anti-affinity'))).toBe(0);
    expect(ServerGroupSoftAffinityWeigher.weigh(h1, makeSpec())).toBe(0);
  });

  it('soft-anti-affinity weighs hosts down by members held', () => {
    expect(ServerGroupSoftAntiAffinityWeigher.weigh(h1, spec('soft-anti-affinity'))).toBe(-2);
    expect(ServerGroupSoftAntiAffinityWeigher.weigh(h2, spec('soft-anti-affinity'))).toBe(-0);
    expect(ServerGroupSoftAntiAffinityWeigher.weigh(h1, spec('anti-affinity'))).toBe(0);
  });

  it('order hosts for their policy', () => {
    const weighers = only({ softAffinity: 1, softAntiAffinity: 1 });
    const names = (policy: GroupPolicy) =>
      weighHosts(weighers, [h2, h1], spec(policy)).map((w) => w.host.host);
    expect(names('soft-affinity')).toEqual(['h1', 'h2']);
    expect(names('soft-anti-affinity')).toEqual(['h2', 'h1']);
  });
});

describe('weighHosts', () => {
  const a = sized('a', 10, 1000, 100);
  const b = sized('b', 20, 4000, 50);
  const c = sized('c', 30, 2000, 0);
  const spec = makeSpec();

  it('spreads on free RAM with a positive multiplier, stacks with a negative one', () => {
    expect(weighHosts(only({ ram: 1 }), [a, b, c], spec).map((w) => w.host.host)).toEqual([
      'b',
      'c',
      'a',
    ]);
    expect(weighHosts(only({ ram: -1 }), [a, b, c], spec).map((w) => w.host.host)).toEqual([
      'a',
      'c',
      'b',
    ]);
  });

  it('sums normalized weights times multipliers', () => {
    const weighed = weighHosts(only({ ram: 1, cpu: 2, disk: 0.5 }), [a, b, c], spec);
    const byName = Object.fromEntries(weighed.map((w) => [w.host.host, w.weight]));
    // ram: a 0, b 1, c 1/3; cpu: a 0, b .5, c 1; disk: a 1, b .5, c 0
    expect(byName['a']).toBeCloseTo(0 + 0 + 0.5);
    expect(byName['b']).toBeCloseTo(1 + 1 + 0.25);
    expect(byName['c']).toBeCloseTo(1 / 3 + 2 + 0);
    expect(weighed.map((w) => w.host.host)).toEqual(['c', 'b', 'a']);
  });

  it('is not swayed by units: normalization makes MiB and vCPUs comparable', () => {
    // RAM differs by a lot of MiB, CPU by a few vCPUs: equal multipliers, equal say.
    const x = sized('x', 1, 60000, 0);
    const y = sized('y', 2, 1000, 0);
    const weighed = weighHosts(only({ ram: 1, cpu: 1 }), [x, y], spec);
    expect(weighed.map((w) => w.weight)).toEqual([1, 1]);
  });

  it('keeps the input order among equal weights', () => {
    const hosts = ['p', 'q', 'r'].map((n) => sized(n, 1, 1, 1));
    expect(weighHosts(only({ ram: 1 }), hosts, spec).map((w) => w.host.host)).toEqual([
      'p',
      'q',
      'r',
    ]);
  });

  it('lets aggregate metadata override a multiplier for its hosts', () => {
    const stacked = makeHost('s', {
      resources: { MEMORY_MB: resource(65536, 0) },
      aggregates: [{ name: 'agg', metadata: { ram_weight_multiplier: '-1' }, hosts: ['s'] }],
    });
    const other = makeHost('o', { resources: { MEMORY_MB: resource(65536, 65536) } });
    const weighed = weighHosts(only({ ram: 1 }), [stacked, other], spec);
    expect(weighed.map((w) => [w.host.host, w.weight])).toEqual([
      ['o', 0],
      ['s', -1],
    ]);
  });
});

describe('multiplierFor', () => {
  it('takes the smallest valid aggregate value, else the configured one', () => {
    const h = makeHost('h', {
      aggregates: [
        { name: 'a', metadata: { cpu_weight_multiplier: '2.5' }, hosts: [] },
        { name: 'b', metadata: { cpu_weight_multiplier: '0.5' }, hosts: [] },
        { name: 'c', metadata: { cpu_weight_multiplier: 'lots' }, hosts: [] },
      ],
    });
    expect(multiplierFor(h, 'cpu_weight_multiplier', 1)).toBe(0.5);
    expect(multiplierFor(h, 'ram_weight_multiplier', 3)).toBe(3);
    expect(multiplierFor(makeHost('plain'), 'cpu_weight_multiplier', 1)).toBe(1);
  });
});

describe('bestIndexes', () => {
  /** The reference: every index sorted heaviest first, ties in index order (weighHosts' order). */
  const sorted = (weights: number[], keep: (i: number) => boolean = () => true) =>
    weights
      .map((_, i) => i)
      .filter(keep)
      .sort((a, b) => weights[b] - weights[a] || a - b);

  it('gives the heaviest first, equal weights in index order', () => {
    expect(bestIndexes([1, 3, 2, 3], 3)).toEqual([1, 3, 2]);
    expect(bestIndexes([5, 5, 5], 2)).toEqual([0, 1]);
    expect(bestIndexes([1, 2], 5)).toEqual([1, 0]);
    expect(bestIndexes([1, 2], 0)).toEqual([]);
    expect(bestIndexes([], 1)).toEqual([]);
  });

  it('keeps only the indexes asked for', () => {
    expect(bestIndexes([9, 8, 7, 6], 2, (i) => i % 2 === 1)).toEqual([1, 3]);
  });

  it('is the start of the full sort, short list or long, on random weights with ties', () => {
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let round = 0; round < 200; round++) {
      const weights = Array.from({ length: 1 + Math.floor(next() * 60) }, () =>
        Math.floor(next() * 8),
      );
      const keep = (i: number) => (i * 7 + round) % 3 !== 0;
      for (const count of [1, 2, 3, 16, 17, 40]) {
        expect(bestIndexes(weights, count)).toEqual(sorted(weights).slice(0, count));
        expect(bestIndexes(weights, count, keep)).toEqual(sorted(weights, keep).slice(0, count));
      }
    }
  });
});
