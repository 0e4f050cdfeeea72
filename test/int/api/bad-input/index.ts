import { aggregatesBadInput } from './aggregates.bad-input';
import { availabilityZonesBadInput } from './availability-zones.bad-input';
import type { BadInputSuite } from './bad-input-case';
import { flavorsBadInput } from './flavors.bad-input';
import { frameBadInput } from './frame.bad-input';
import { hypervisorsBadInput } from './hypervisors.bad-input';
import { keypairsBadInput } from './keypairs.bad-input';
import { quotasBadInput } from './quotas.bad-input';
import { serverGroupsBadInput } from './server-groups.bad-input';
import { servicesBadInput } from './services.bad-input';

/** Every resource's malformed requests; add a suite per resource. */
export const BAD_INPUT_SUITES: BadInputSuite[] = [
  frameBadInput,
  flavorsBadInput,
  keypairsBadInput,
  quotasBadInput,
  serverGroupsBadInput,
  aggregatesBadInput,
  servicesBadInput,
  hypervisorsBadInput,
  availabilityZonesBadInput,
];
