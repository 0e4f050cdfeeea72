import { hostFilter } from './host-filter';

/** Nova's DifferentHostFilter: with a different_host hint, the host runs none of the listed instances. */
export const DifferentHostFilter = hostFilter({
  name: 'DifferentHostFilter',
  runOncePerRequest: true,
  prepare: (spec) => {
    const avoided = spec.schedulerHints?.different_host ?? [];
    return avoided.length === 0
      ? null
      : (host) => !avoided.some((uuid) => host.instances.has(uuid));
  },
});
