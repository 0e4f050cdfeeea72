/** The resource classes a compute node reports (placement's standard names). */
export const STANDARD_RESOURCE_CLASSES = ['VCPU', 'MEMORY_MB', 'DISK_GB'] as const;
export type StandardResourceClass = (typeof STANDARD_RESOURCE_CLASSES)[number];

/** One class of a provider's inventory, with placement's field names and defaults. */
export interface InventoryInput {
  readonly total: number;
  /** Default 0. */
  readonly reserved?: number;
  /** Default 1.0. */
  readonly allocation_ratio?: number;
  /** Default: total. */
  readonly max_unit?: number;
  /** Default 1. */
  readonly min_unit?: number;
  /** Default 1. */
  readonly step_size?: number;
}

/** Inventory by resource class (standard classes, or CUSTOM_* ones). */
export type InventoryInputs = Readonly<Partial<Record<StandardResourceClass, InventoryInput>>> &
  Readonly<Record<string, InventoryInput | undefined>>;

/** Amounts by resource class; zero amounts are left out. */
export type ResourceRequest = Readonly<Partial<Record<StandardResourceClass, number>>> &
  Readonly<Record<string, number | undefined>>;

/** One class of a provider as the scheduler reads it. */
export interface ProviderResource {
  readonly total: number;
  readonly reserved: number;
  readonly allocationRatio: number;
  readonly minUnit: number;
  readonly maxUnit: number;
  readonly stepSize: number;
  /** (total - reserved) * allocation_ratio: what allocations may use in all. */
  readonly capacity: number;
  readonly used: number;
}

/** A provider with its inventory and usage, per class. */
export interface ProviderSummary {
  readonly uuid: string;
  readonly name: string;
  readonly generation: number;
  readonly resources: Readonly<Record<string, ProviderResource>>;
}

/** A consumer's allocation on one provider. */
export interface ConsumerAllocation {
  readonly providerUuid: string;
  readonly resources: Readonly<Record<string, number>>;
}
