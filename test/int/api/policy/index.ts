import { aggregatePolicies } from './aggregates.policy';
import { availabilityZonePolicies } from './availability-zones.policy';
import { flavorPolicies } from './flavors.policy';
import { hypervisorPolicies } from './hypervisors.policy';
import { keypairPolicies } from './keypairs.policy';
import type { PolicySuite } from './policy-case';
import { quotaPolicies } from './quotas.policy';
import { serverGroupPolicies } from './server-groups.policy';
import { servicePolicies } from './services.policy';

/** Every resource's policy table; add a suite per resource. */
export const POLICY_SUITES: PolicySuite[] = [
  aggregatePolicies,
  flavorPolicies,
  keypairPolicies,
  quotaPolicies,
  serverGroupPolicies,
  servicePolicies,
  hypervisorPolicies,
  availabilityZonePolicies,
];
