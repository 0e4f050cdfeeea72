import type { HostFilter } from './host-filter';

/** Nova's ComputeFilter: the host's nova-compute service is up and not disabled. */
export const ComputeFilter: HostFilter = {
  name: 'ComputeFilter',
  runOncePerRequest: true,
  hostPasses: (host) => host.serviceUp && !host.serviceDisabled,
};
