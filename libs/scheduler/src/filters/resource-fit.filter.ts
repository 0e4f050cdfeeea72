import { RESOURCE_CLASSES, fits } from '../host-state';
import { requestedResources } from '../request-spec';
import { hostFilter } from './host-filter';

/**
 * The resource fit placement does for Nova (which dropped RamFilter, CoreFilter
 * and DiskFilter for it): every requested class fits the host's free capacity
 * ((total - reserved) * allocation_ratio - used) and its max_unit. It runs
 * again for each instance of a request, against what earlier ones consumed.
 */
export const ResourceFitFilter = hostFilter({
  name: 'ResourceFitFilter',
  runOncePerRequest: false,
  prepare: (spec) => {
    const amounts = requestedResources(spec);
    const wanted = RESOURCE_CLASSES.filter((rc) => (amounts[rc] ?? 0) > 0);
    return (host) => wanted.every((rc) => fits(host.resources[rc], amounts[rc]));
  },
});
