import { hostFilter } from './host-filter';

/** Nova's ComputeFilter: the host's nova-compute service is up and not disabled. */
export const ComputeFilter = hostFilter({
  name: 'ComputeFilter',
  runOncePerRequest: true,
  prepare: () => (host) => host.serviceUp && !host.serviceDisabled,
});
