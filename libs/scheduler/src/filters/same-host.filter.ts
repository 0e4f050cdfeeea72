import type { HostFilter } from './host-filter';

/** Nova's SameHostFilter: with a same_host hint, the host runs one of the listed instances. */
export const SameHostFilter: HostFilter = {
  name: 'SameHostFilter',
  runOncePerRequest: true,
  hostPasses: (host, spec) => {
    const wanted = spec.schedulerHints?.same_host ?? [];
    return wanted.length === 0 || wanted.some((uuid) => host.instances.has(uuid));
  },
};
