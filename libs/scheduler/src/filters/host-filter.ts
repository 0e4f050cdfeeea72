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
  hostPasses(host: HostState, spec: RequestSpec): boolean;
}
