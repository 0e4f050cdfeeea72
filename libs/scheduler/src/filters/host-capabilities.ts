import { type HostState, type ResourceClassName, hostFree } from '../host-state';

const total = (h: HostState, rc: ResourceClassName) => h.resources[rc]?.total;
const used = (h: HostState, rc: ResourceClassName) => h.resources[rc]?.used;
const ratio = (h: HostState, rc: ResourceClassName) => h.resources[rc]?.allocationRatio;

/**
 * The host attributes ComputeCapabilitiesFilter can match, under the names of
 * Nova's HostState. Free amounts have allocation ratios applied.
 */
const CAPABILITIES: Record<string, (host: HostState) => unknown> = {
  host: (h) => h.host,
  nodename: (h) => h.nodename,
  hypervisor_hostname: (h) => h.nodename,
  hypervisor_type: (h) => h.hypervisorType,
  hypervisor_version: (h) => h.hypervisorVersion,
  cpu_info: (h) => h.cpuInfo,
  supported_instances: (h) => h.supportedInstances.map((s) => [s.arch, s.hvType, s.vmMode]),
  num_instances: (h) => h.numInstances,
  vcpus_total: (h) => total(h, 'VCPU'),
  vcpus_used: (h) => used(h, 'VCPU'),
  total_usable_ram_mb: (h) => total(h, 'MEMORY_MB'),
  free_ram_mb: (h) => (h.resources.MEMORY_MB ? hostFree(h, 'MEMORY_MB') : undefined),
  total_usable_disk_gb: (h) => total(h, 'DISK_GB'),
  free_disk_mb: (h) => (h.resources.DISK_GB ? hostFree(h, 'DISK_GB') * 1024 : undefined),
  cpu_allocation_ratio: (h) => ratio(h, 'VCPU'),
  ram_allocation_ratio: (h) => ratio(h, 'MEMORY_MB'),
  disk_allocation_ratio: (h) => ratio(h, 'DISK_GB'),
};

/**
 * A host capability by path: the first part names an attribute, the others
 * walk into it (`cpu_info`, `features` -> the cpu_info's features). Undefined
 * when there is no such attribute or key.
 */
export function hostCapability(host: HostState, path: readonly string[]): unknown {
  const [first, ...rest] = path;
  const read =
    first !== undefined && Object.prototype.hasOwnProperty.call(CAPABILITIES, first)
      ? CAPABILITIES[first]
      : undefined;
  let value: unknown = read ? read(host) : undefined;
  for (const part of rest) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return undefined;
    }
    value = Object.prototype.hasOwnProperty.call(value, part)
      ? (value as Record<string, unknown>)[part]
      : undefined;
  }
  return value;
}
