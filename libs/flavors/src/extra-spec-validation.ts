import { Invalid } from '@nova/common';

/** A value check: returns the reason it fails, or undefined when the value is fine. */
type Check = (value: string) => string | undefined;

const oneOf =
  (...allowed: string[]): Check =>
  (v) =>
    allowed.includes(v) ? undefined : `must be one of ${allowed.join(', ')}`;
const int =
  (min = 0, max = Number.MAX_SAFE_INTEGER): Check =>
  (v) =>
    /^-?\d+$/.test(v) && Number(v) >= min && Number(v) <= max
      ? undefined
      : `must be an integer from ${min} to ${max}`;
const bool: Check = (v) =>
  /^(true|false|yes|no|1|0|on|off|t|f|y|n)$/i.test(v) ? undefined : 'must be a boolean';
const any: Check = () => undefined;
const cpuSet: Check = (v) =>
  /^\^?\d+(-\d+)?(,\^?\d+(-\d+)?)*$/.test(v) ? undefined : 'must be a CPU set such as 0-3,^2';
const pageSize: Check = (v) =>
  /^(small|large|any|\d+([KMG]i?B?)?)$/i.test(v)
    ? undefined
    : 'must be small, large, any or a size';

/** Exact keys of the namespaces Nova registers (2.86). */
const EXACT: Record<string, Check> = {
  'hw:cpu_policy': oneOf('dedicated', 'shared', 'mixed'),
  'hw:cpu_thread_policy': oneOf('prefer', 'isolate', 'require'),
  'hw:emulator_threads_policy': oneOf('share', 'isolate'),
  'hw:cpu_sockets': int(1),
  'hw:cpu_cores': int(1),
  'hw:cpu_threads': int(1),
  'hw:cpu_max_sockets': int(1),
  'hw:cpu_max_cores': int(1),
  'hw:cpu_max_threads': int(1),
  'hw:cpu_realtime': bool,
  'hw:cpu_realtime_mask': any,
  'hw:cpu_dedicated_mask': any,
  'hw:numa_nodes': int(1),
  'hw:mem_page_size': pageSize,
  'hw:watchdog_action': oneOf('none', 'pause', 'poweroff', 'reset', 'disabled'),
  'hw:boot_menu': bool,
  'hw:vif_multiqueue_enabled': bool,
  'hw:pmu': bool,
  'hw:serial_port_count': int(0),
  'hw:mem_encryption': bool,
  'hw:pci_numa_affinity_policy': oneOf('required', 'preferred', 'legacy', 'socket'),
  'hw:tpm_version': oneOf('1.2', '2.0'),
  'hw:tpm_model': oneOf('tpm-tis', 'tpm-crb'),
  'hw:locked_memory': bool,
  'hw:virtio_packed_ring': bool,
  'hw:maxphysaddr_mode': oneOf('passthrough', 'emulate'),
  'hw:maxphysaddr_bits': int(1, 128),
  'hw:vtpm_secret_security': oneOf('user', 'host', 'deployment'),
  'hw_rng:allowed': bool,
  'hw_rng:rate_bytes': int(0),
  'hw_rng:rate_period': int(0),
  'hw_video:ram_max_mb': int(0),
  'os:secure_boot': oneOf('required', 'disabled', 'optional'),
  'os:monitors': int(1, 16),
  'accel:device_profile': any,
  'pci_passthrough:alias': any,
  hide_hypervisor_id: bool,
  group_policy: oneOf('none', 'isolate'),
};

/** Keys with a variable part. */
const PATTERNS: Array<[RegExp, Check]> = [
  [/^hw:numa_cpus\.\d+$/, cpuSet],
  [/^hw:numa_mem\.\d+$/, int(1)],
  [
    /^quota:(cpu_(quota|period|shares|limit|reservation)|disk_(read|write|total)_(bytes|iops)_sec|vif_(inbound|outbound)_(average|peak|burst))$/,
    int(-1),
  ],
  [/^resources\d*:(VCPU|PCPU|MEMORY_MB|DISK_GB|[A-Z0-9_]+)$/, int(0)],
  [/^trait\d*:[A-Z0-9_]+$/, oneOf('required', 'forbidden')],
  [/^aggregate_instance_extra_specs:.+$/, any],
  [/^capabilities:.+$/, any],
];

const REGISTERED_NAMESPACES = new Set([
  'hw',
  'hw_rng',
  'hw_video',
  'os',
  'quota',
  'accel',
  'pci_passthrough',
  'aggregate_instance_extra_specs',
  'capabilities',
]);

/**
 * Nova's extra-spec validation (microversion 2.86): keys of a registered
 * namespace must be known and their values valid; keys of other namespaces
 * (third-party schedulers, for instance) are accepted as they are.
 */
export function validateExtraSpecs(specs: Record<string, string>): void {
  for (const [key, value] of Object.entries(specs)) {
    const check = EXACT[key] ?? PATTERNS.find(([re]) => re.test(key))?.[1];
    if (check) {
      const problem = check(value);
      if (problem) {
        throw new Invalid(`Validation failed; extra spec '${key}' ${problem}; got '${value}'.`);
      }
      continue;
    }
    const namespace = /^(resources|trait)\d*:/.test(key)
      ? key.split(':')[0]
      : key.includes(':')
        ? key.slice(0, key.indexOf(':'))
        : undefined;
    if (
      namespace !== undefined &&
      (REGISTERED_NAMESPACES.has(namespace) || /^(resources|trait)\d*$/.test(namespace))
    ) {
      throw new Invalid(
        `Validation failed; extra spec '${key}' is not a registered extra spec in namespace '${namespace}'.`,
      );
    }
  }
}
