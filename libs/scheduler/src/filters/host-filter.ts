import type { HostState } from '../host-state';
import type { RequestSpec } from '../request-spec';

/** A scheduler filter: a host passes or is dropped for this request. */
export interface HostFilter {
  /** Nova's class name, as listed in [filter_scheduler] enabled_filters. */
  readonly name: string;
  /**
   * True when the answer cannot change while the instances of one request are
   * placed (it reads nothing that placing an instance changes), so it runs
   * once for the first instance only, as Nova's run_filter_once_per_request.
   */
  readonly runOncePerRequest: boolean;
  /**
   * Runs when a rebuild checks a new image on the server's own host (Nova's
   * RUN_ON_REBUILD): only filters about the image do; the server already holds
   * its resources, its group and its zone.
   */
  readonly runOnRebuild?: boolean;
  /**
   * The check for one request, with what it reads of the request worked out
   * once (a decision runs it on a thousand hosts); null when the request asks
   * nothing of this filter, so every host passes.
   */
  prepare(spec: RequestSpec): HostCheck | null;
  /** One host against one request (prepare, then the check). */
  hostPasses(host: HostState, spec: RequestSpec): boolean;
}

export type HostCheck = (host: HostState) => boolean;

/** A filter from its prepared check; hostPasses follows from it. */
export function hostFilter(def: Omit<HostFilter, 'hostPasses'>): HostFilter {
  return { ...def, hostPasses: (host, spec) => def.prepare(spec)?.(host) ?? true };
}
