import { RESOURCE_CLASSES, fits } from '../host-state';
import { requestedResources } from '../request-spec';
import type { HostFilter } from './host-filter';

/**
 * The resource fit placement does for Nova (which dropped RamFilter, CoreFilter
 * and DiskFilter for it): every requested class fits the host's free capacity
 * ((total - reserved) * allocation_ratio - used) and its max_unit. It runs
 * again for each instance of a request, against what earlier ones consumed.
 */
export const ResourceFitFilter: HostFilter = {
  name: 'ResourceFitFilter',
  runOncePerRequest: false,
  hostPasses: (host, spec) => {
    const amounts = requestedResources(spec);
    return RESOURCE_CLASSES.every((rc) => fits(host.resources[rc], amounts[rc]));
  },
};
