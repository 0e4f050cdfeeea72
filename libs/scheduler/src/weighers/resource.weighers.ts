import { hostFree } from '../host-state';
import type { HostWeigher } from './host-weigher';

/** Nova's RAMWeigher: more free RAM weighs more (a negative multiplier stacks instead). */
export const RAMWeigher: HostWeigher = {
  name: 'RAMWeigher',
  multiplierKey: 'ram_weight_multiplier',
  weigh: (host) => hostFree(host, 'MEMORY_MB'),
};

/** Nova's CPUWeigher: more free vCPUs (overcommit included) weighs more. */
export const CPUWeigher: HostWeigher = {
  name: 'CPUWeigher',
  multiplierKey: 'cpu_weight_multiplier',
  weigh: (host) => hostFree(host, 'VCPU'),
};

/** Nova's DiskWeigher: more free local disk weighs more. */
export const DiskWeigher: HostWeigher = {
  name: 'DiskWeigher',
  multiplierKey: 'disk_weight_multiplier',
  weigh: (host) => hostFree(host, 'DISK_GB'),
};
