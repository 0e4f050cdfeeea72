import type { HostState } from '../host-state';
import type { RequestSpec } from '../request-spec';
import { type HostWeigher, multiplierFor, normalize } from './host-weigher';
import { CPUWeigher, DiskWeigher, RAMWeigher } from './resource.weighers';
import {
  ServerGroupSoftAffinityWeigher,
  ServerGroupSoftAntiAffinityWeigher,
} from './server-group.weighers';

export * from './host-weigher';
export * from './resource.weighers';
export * from './server-group.weighers';

/** A weigher with the multiplier [filter_scheduler] gives it. */
export interface ConfiguredWeigher {
  readonly weigher: HostWeigher;
  readonly multiplier: number;
}

export interface WeightMultipliers {
  readonly ram: number;
  readonly cpu: number;
  readonly disk: number;
  readonly softAffinity: number;
  readonly softAntiAffinity: number;
}

/** Every weigher (Nova's default weight_classes = all), each with its multiplier. */
export function buildWeighers(m: WeightMultipliers): ConfiguredWeigher[] {
  return [
    { weigher: RAMWeigher, multiplier: m.ram },
    { weigher: CPUWeigher, multiplier: m.cpu },
    { weigher: DiskWeigher, multiplier: m.disk },
    { weigher: ServerGroupSoftAffinityWeigher, multiplier: m.softAffinity },
    { weigher: ServerGroupSoftAntiAffinityWeigher, multiplier: m.softAntiAffinity },
  ];
}

export interface WeighedHost {
  readonly host: HostState;
  readonly weight: number;
}

/**
 * Weigh hosts as Nova does: per weigher, raw values normalized to 0..1 across
 * these hosts, times the (possibly aggregate-overridden) multiplier, summed.
 * Best first; equal weights keep the input order.
 */
export function weighHosts(
  weighers: readonly ConfiguredWeigher[],
  hosts: readonly HostState[],
  spec: RequestSpec,
): WeighedHost[] {
  const totals = hosts.map(() => 0);
  for (const { weigher, multiplier } of weighers) {
    const normalized = normalize(hosts.map((h) => weigher.weigh(h, spec)));
    if (normalized.every((n) => n === 0)) {
      continue; // adds nothing to any host, whatever its multiplier
    }
    hosts.forEach((host, i) => {
      const m = multiplierFor(host, weigher.multiplierKey, multiplier);
      totals[i] += m * normalized[i];
    });
  }
  return hosts
    .map((host, i) => ({ host, weight: totals[i], i }))
    .sort((a, b) => b.weight - a.weight || a.i - b.i)
    .map(({ host, weight }) => ({ host, weight }));
}
