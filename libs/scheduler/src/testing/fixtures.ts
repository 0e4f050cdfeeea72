import type { HostResource, HostState } from '../host-state';
import type { RequestSpec } from '../request-spec';
import { FilterSchedulerOptions, SchedulerOptions } from '@nova/config';
import { type SchedulerConfig, schedulerConfigFrom } from '../scheduler-config';

/** Builders for specs and benchmarks: plain hosts and requests with overridable parts. */

export function resource(total: number, used = 0, extra: Partial<HostResource> = {}): HostResource {
  return { total, reserved: 0, allocationRatio: 1, maxUnit: total, used, ...extra };
}

export type HostOverrides = Partial<Omit<HostState, 'instances'>> & { instances?: string[] };

export function makeHost(name: string, overrides: HostOverrides = {}): HostState {
  const { instances, ...rest } = overrides;
  return {
    host: name,
    nodename: name,
    cellUuid: 'cell1',
    providerUuid: `rp-${name}`,
    serviceUp: true,
    serviceDisabled: false,
    availabilityZone: 'nova',
    resources: { VCPU: resource(16), MEMORY_MB: resource(32768), DISK_GB: resource(1000) },
    hypervisorType: 'QEMU',
    hypervisorVersion: 8_000_000,
    cpuInfo: null,
    supportedInstances: [{ arch: 'x86_64', hvType: 'qemu', vmMode: 'hvm' }],
    aggregates: [],
    numInstances: instances?.length ?? 0,
    ...rest,
    instances: new Set(instances ?? []),
  };
}

export type SpecOverrides = Partial<Omit<RequestSpec, 'flavor' | 'image'>> & {
  flavor?: Partial<RequestSpec['flavor']>;
  image?: Partial<RequestSpec['image']>;
};

export function makeSpec(overrides: SpecOverrides = {}): RequestSpec {
  const { flavor, image, ...rest } = overrides;
  const instanceUuids = rest.instanceUuids ?? ['inst-0'];
  return {
    numInstances: instanceUuids.length,
    ...rest,
    instanceUuids,
    flavor: {
      vcpus: 1,
      memory_mb: 512,
      root_gb: 1,
      ephemeral_gb: 0,
      swap: 0,
      extra_specs: {},
      ...flavor,
    },
    image: { properties: {}, ...image },
  };
}

/** The scheduler config nova.conf gives by default, with overrides. */
export function makeConfig(overrides: Partial<SchedulerConfig> = {}): SchedulerConfig {
  return {
    ...schedulerConfigFrom({
      filter_scheduler: new FilterSchedulerOptions(),
      scheduler: new SchedulerOptions(),
    }),
    ...overrides,
  };
}

/** A uuid-like instance id list: inst-0 .. inst-(n-1). */
export function instanceIds(n: number, prefix = 'inst'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
}
