import { Invalid, type RequestContext } from '@nova/common';

/**
 * What os-simple-tenant-usage reads of the instances in every cell: those
 * active in a period, deleted ones included. The API depends on this port;
 * cells/servers implements it over the cell databases.
 */

/** The sizes an instance was billed at: its embedded flavor (or its own columns without one). */
export interface UsageFlavor {
  /** '' when the instance carries no flavor record (Nova: cannot name it). */
  readonly name: string;
  readonly memory_mb: number;
  readonly root_gb: number;
  readonly ephemeral_gb: number;
  readonly vcpus: number;
}

export interface UsageInstance {
  readonly uuid: string;
  readonly project_id: string | null;
  readonly display_name: string | null;
  readonly vm_state: string | null;
  readonly launched_at: Date | null;
  readonly terminated_at: Date | null;
  readonly flavor: UsageFlavor;
}

/** Instances launched before `end` and not terminated before `start`. */
export interface UsageWindow {
  readonly start: Date;
  readonly end: Date;
  readonly projectId?: string;
  readonly limit: number;
  /** An instance uuid: the page starts after it (ordered by project id, then uuid, cell by cell). */
  readonly marker?: string;
}

export interface InstanceUsagePort {
  instancesActiveIn(ctx: RequestContext, window: UsageWindow): Promise<UsageInstance[]>;
}

export const INSTANCE_USAGE = Symbol('INSTANCE_USAGE');

/** A paging marker no cell holds (Nova's MarkerNotFound, a 400 here). */
export class UsageMarkerNotFound extends Invalid {
  constructor(marker: string) {
    super(`Marker ${marker} could not be found.`, { marker });
  }
}
