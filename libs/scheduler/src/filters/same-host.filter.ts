import { hostFilter } from './host-filter';

/** Nova's SameHostFilter: with a same_host hint, the host runs one of the listed instances. */
export const SameHostFilter = hostFilter({
  name: 'SameHostFilter',
  runOncePerRequest: true,
  prepare: (spec) => {
    const wanted = spec.schedulerHints?.same_host ?? [];
    return wanted.length === 0 ? null : (host) => wanted.some((uuid) => host.instances.has(uuid));
  },
});
