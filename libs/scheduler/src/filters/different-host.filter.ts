import type { HostFilter } from './host-filter';

/** Nova's DifferentHostFilter: with a different_host hint, the host runs none of the listed instances. */
export const DifferentHostFilter: HostFilter = {
  name: 'DifferentHostFilter',
  runOncePerRequest: true,
  hostPasses: (host, spec) => {
    const avoided = spec.schedulerHints?.different_host ?? [];
    return !avoided.some((uuid) => host.instances.has(uuid));
  },
};
