export type GroupPolicy = 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity';

export interface FlavorSpec {
  readonly vcpus: number;
  readonly memory_mb: number;
  readonly root_gb: number;
  readonly ephemeral_gb: number;
  /** MiB, as in Nova's flavors. */
  readonly swap: number;
  readonly extra_specs: Readonly<Record<string, string>>;
}

export interface ImageSpec {
  readonly id?: string;
  /** Glance image properties (hw_architecture, img_hv_type, hw_vm_mode, ...). */
  readonly properties: Readonly<Record<string, string>>;
}

/** Scheduler hints of the create request (os:scheduler_hints). */
export interface SchedulerHints {
  readonly group?: string;
  readonly same_host?: readonly string[];
  readonly different_host?: readonly string[];
  readonly query?: string;
}

/** The server group the instances join, as the scheduler sees it. */
export interface InstanceGroupSpec {
  readonly uuid: string;
  readonly policy: GroupPolicy;
  /** anti-affinity only (2.64): how many members one host may hold; 1 when absent. */
  readonly rules?: { readonly max_server_per_host?: number };
  /** Instance uuids of the members (those being scheduled may be among them). */
  readonly members: readonly string[];
  /** Hosts already running members. */
  readonly hosts: readonly string[];
}

/** Where an operator asked the instances to go (2.74 host / hypervisor_hostname); filters still run. */
export interface RequestedDestination {
  readonly host?: string;
  readonly node?: string;
  readonly cellUuid?: string;
}

/** What to schedule: Nova's RequestSpec, reduced to what the filters and weighers read. */
export interface RequestSpec {
  /** One uuid per instance to place, in order. */
  readonly instanceUuids: readonly string[];
  /** Nova's num_instances; equals instanceUuids.length. */
  readonly numInstances: number;
  readonly projectId?: string;
  readonly flavor: FlavorSpec;
  readonly image: ImageSpec;
  /** Boot from volume: the root disk is a volume and takes no local disk. */
  readonly isBootFromVolume?: boolean;
  readonly availabilityZone?: string | null;
  readonly schedulerHints?: SchedulerHints;
  readonly instanceGroup?: InstanceGroupSpec | null;
  /**
   * Hosts (nodes) the instances must go to, from an admin's `az:host[:node]`:
   * as in Nova, filters are skipped for them (the resource fit still applies).
   */
  readonly forceHosts?: readonly string[];
  readonly forceNodes?: readonly string[];
  readonly requestedDestination?: RequestedDestination | null;
  /** Hosts not to use (the ones a reschedule already failed on). */
  readonly ignoreHosts?: readonly string[];
  /** A rebuild's image check on the server's host: only the runOnRebuild filters, no resource fit. */
  readonly isRebuild?: boolean;
}

export interface RequestedResources {
  readonly VCPU: number;
  readonly MEMORY_MB: number;
  readonly DISK_GB: number;
}

// Filters ask once per host; specs are not changed once built, so compute once per spec.
const requested = new WeakMap<object, RequestedResources>();

/**
 * The resources one instance asks placement for: VCPU = vcpus, MEMORY_MB =
 * memory_mb, DISK_GB = root (unless boot from volume) + ephemeral + swap in
 * whole GiB rounded up; a flavor's `resources:<CLASS>` extra spec overrides a class.
 */
export function requestedResources(
  spec: Pick<RequestSpec, 'flavor' | 'isBootFromVolume'>,
): RequestedResources {
  const cached = requested.get(spec);
  if (cached) {
    return cached;
  }
  const { flavor } = spec;
  const disk =
    (spec.isBootFromVolume ? 0 : flavor.root_gb) +
    flavor.ephemeral_gb +
    Math.ceil(flavor.swap / 1024);
  const amounts = { VCPU: flavor.vcpus, MEMORY_MB: flavor.memory_mb, DISK_GB: disk };
  for (const rc of Object.keys(amounts) as Array<keyof typeof amounts>) {
    const override = flavor.extra_specs[`resources:${rc}`];
    if (override !== undefined && /^\s*\d+\s*$/.test(override)) {
      amounts[rc] = Number(override);
    }
  }
  requested.set(spec, amounts);
  return amounts;
}
