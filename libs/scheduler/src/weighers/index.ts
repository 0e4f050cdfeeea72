import type { HostState } from '../host-state';
import type { RequestSpec } from '../request-spec';
import { type HostWeigher, multiplierFor } from './host-weigher';
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
  const totals = hostWeights(weighers, hosts, spec);
  return bestIndexes(totals, hosts.length).map((i) => ({ host: hosts[i], weight: totals[i] }));
}

/**
 * Each host's weight (see weighHosts), in the hosts' order. One pass per
 * weigher for its raw values and their range, one to add them normalized: a
 * decision weighs a thousand hosts, so no array per weigher and step.
 */
export function hostWeights(
  weighers: readonly ConfiguredWeigher[],
  hosts: readonly HostState[],
  spec: RequestSpec,
): number[] {
  const totals = new Array<number>(hosts.length).fill(0);
  const raw = new Array<number>(hosts.length);
  for (const { weigher, multiplier } of weighers) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < hosts.length; i++) {
      const value = weigher.weigh(hosts[i], spec);
      raw[i] = value;
      if (value < min) {
        min = value;
      }
      if (value > max) {
        max = value;
      }
    }
    const range = max - min;
    if (range === 0 || !Number.isFinite(range)) {
      continue; // every host normalizes to 0: adds nothing, whatever the multiplier
    }
    for (let i = 0; i < hosts.length; i++) {
      const m = multiplierFor(hosts[i], weigher.multiplierKey, multiplier);
      totals[i] += m * ((raw[i] - min) / range);
    }
  }
  return totals;
}

/** Beyond this many, bestIndexes sorts instead of keeping a short list. */
const SHORT_LIST = 16;

/**
 * The indexes of the `count` heaviest weights among those `keep` accepts,
 * heaviest first, equal weights in index order: weighHosts' order, without
 * sorting every host when a decision needs only the best few.
 */
export function bestIndexes(
  weights: readonly number[],
  count: number,
  keep: (i: number) => boolean = () => true,
): number[] {
  if (count <= 0) {
    return [];
  }
  const better = (i: number, j: number) =>
    weights[i] > weights[j] || (!(weights[i] < weights[j]) && i < j);
  if (count > SHORT_LIST) {
    return weights
      .map((_, i) => i)
      .filter(keep)
      .sort((a, b) => weights[b] - weights[a] || a - b)
      .slice(0, count);
  }
  const best: number[] = [];
  for (let i = 0; i < weights.length; i++) {
    if (best.length === count && !better(i, best[count - 1])) {
      continue;
    }
    if (!keep(i)) {
      continue;
    }
    let at = best.length;
    while (at > 0 && better(i, best[at - 1])) {
      at--;
    }
    best.splice(at, 0, i);
    if (best.length > count) {
      best.pop();
    }
  }
  return best;
}
