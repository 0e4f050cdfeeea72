/** The standard resource classes a compute host offers (placement's names). */
export const RESOURCE_CLASSES = ['VCPU', 'MEMORY_MB', 'DISK_GB'] as const;
export type ResourceClassName = (typeof RESOURCE_CLASSES)[number];

/** Amounts per resource class; a class left out is not requested. */
export type ResourceAmounts = Partial<Record<ResourceClassName, number>>;

/**
 * One resource class of a host as placement tracks it: the physical total, what
 * the host keeps for itself, the overcommit ratio, and what allocations use.
 */
export interface HostResource {
  readonly total: number;
  readonly reserved: number;
  readonly allocationRatio: number;
  /** Largest amount one consumer may take (placement's max_unit). */
  readonly maxUnit: number;
  readonly minUnit?: number;
  readonly stepSize?: number;
  /** Mutable: selection consumes from it so one request spreads over hosts. */
  used: number;
}

/** A host aggregate as the scheduler needs it. */
export interface HostAggregate {
  readonly name: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly hosts: readonly string[];
}

/** One (architecture, hypervisor type, vm mode) the host can run (Nova's supported_instances). */
export interface SupportedInstance {
  readonly arch: string;
  readonly hvType: string;
  readonly vmMode: string;
}

/**
 * What the scheduler knows about one compute node. Built by the scheduler
 * service from the cells (service, compute node, instances), placement
 * (resources) and the API database (aggregates). `resources`, `instances` and
 * `numInstances` change as selectDestinations places instances.
 */
export interface HostState {
  readonly host: string;
  readonly nodename: string;
  readonly cellUuid: string;
  /** The resource provider to claim against (the compute node's uuid). */
  readonly providerUuid: string;
  readonly serviceUp: boolean;
  readonly serviceDisabled: boolean;
  /** The host's zone; several zones joined with commas when its aggregates disagree. */
  readonly availabilityZone: string;
  readonly resources: Partial<Record<ResourceClassName, HostResource>>;
  readonly hypervisorType: string | null;
  /** Nova's integer form: major * 1_000_000 + minor * 1000 + patch. */
  readonly hypervisorVersion: number | null;
  /** The compute node's cpu_info, parsed from its JSON. */
  readonly cpuInfo: Readonly<Record<string, unknown>> | null;
  readonly supportedInstances: readonly SupportedInstance[];
  readonly aggregates: readonly HostAggregate[];
  /** Uuids of the instances on this node (affinity and same/different host). */
  readonly instances: Set<string>;
  numInstances: number;
}

/** What the host can hand out of one class: (total - reserved) * allocation_ratio, as placement. */
export function capacityOf(resource: HostResource): number {
  return (resource.total - resource.reserved) * resource.allocationRatio;
}

export function freeOf(resource: HostResource): number {
  return capacityOf(resource) - resource.used;
}

/** Free amount of a class on a host (0 when the host has no such inventory). */
export function hostFree(host: HostState, rc: ResourceClassName): number {
  const resource = host.resources[rc];
  return resource ? freeOf(resource) : 0;
}

/** Whether `amount` more of the class fits: within max_unit, min_unit, step_size and capacity. */
export function fits(resource: HostResource | undefined, amount: number): boolean {
  if (amount <= 0) {
    return true;
  }
  if (!resource) {
    return false;
  }
  const step = resource.stepSize ?? 1;
  return (
    amount <= resource.maxUnit &&
    amount >= (resource.minUnit ?? 1) &&
    amount % step === 0 &&
    resource.used + amount <= capacityOf(resource)
  );
}

/**
 * Take an instance's resources from the host in memory, so the next instance
 * of the same request sees them gone (the database claim is the caller's).
 */
export function consumeFromRequest(
  host: HostState,
  amounts: ResourceAmounts,
  instanceUuid: string,
): void {
  for (const rc of RESOURCE_CLASSES) {
    const resource = host.resources[rc];
    const amount = amounts[rc] ?? 0;
    if (resource && amount > 0) {
      resource.used += amount;
    }
  }
  host.instances.add(instanceUuid);
  host.numInstances += 1;
}

/** "host" for a single-node host, "host/node" otherwise (log and error text). */
export function describeHost(host: HostState): string {
  return host.host === host.nodename ? host.host : `${host.host}/${host.nodename}`;
}
