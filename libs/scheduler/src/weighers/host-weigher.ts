import type { HostAggregate, HostState } from '../host-state';
import type { RequestSpec } from '../request-spec';

/** A scheduler weigher: a raw number per host; higher is better before the multiplier. */
export interface HostWeigher {
  readonly name: string;
  /** Aggregate metadata key that overrides the configured multiplier for its hosts. */
  readonly multiplierKey: string;
  weigh(host: HostState, spec: RequestSpec): number;
}

// Aggregates do not change while a request is placed: read each override once per aggregate list.
const overrides = new WeakMap<readonly HostAggregate[], Map<string, number | null>>();

/**
 * The multiplier for one host: the smallest valid value of `key` in its
 * aggregates' metadata when any has one (as Nova), else the configured one.
 */
export function multiplierFor(host: HostState, key: string, configured: number): number {
  if (host.aggregates.length === 0) {
    return configured;
  }
  let cache = overrides.get(host.aggregates);
  if (!cache) {
    cache = new Map();
    overrides.set(host.aggregates, cache);
  }
  let found = cache.get(key);
  if (found === undefined) {
    found = null;
    for (const aggregate of host.aggregates) {
      const raw = aggregate.metadata[key];
      const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
      if (Number.isFinite(value)) {
        found = found === null ? value : Math.min(found, value);
      }
    }
    cache.set(key, found);
  }
  return found ?? configured;
}
