import type { Cell } from '@nova/cell-router';
import type { RequestContext } from '@nova/common';

/**
 * What the compute API reads of services and compute nodes in the cells. The
 * API (global side) depends on this port; cells/hosts implements it over the
 * cell databases, and the process wires the two.
 */

/** A service row as the API shows it. */
export interface ServiceRecord {
  readonly id: number;
  readonly uuid: string | null;
  readonly host: string | null;
  readonly binary: string | null;
  readonly topic: string | null;
  readonly disabled: boolean;
  readonly disabled_reason: string | null;
  readonly forced_down: boolean;
  readonly last_seen_up: Date | null;
  readonly created_at: Date | null;
  readonly updated_at: Date | null;
}

/** A compute node row as the API shows it. */
export interface ComputeNodeRecord {
  readonly id: number;
  readonly uuid: string | null;
  readonly host: string | null;
  readonly hypervisor_hostname: string | null;
  readonly hypervisor_type: string | null;
  readonly hypervisor_version: string | null;
  readonly vcpus: number;
  readonly memory_mb: number;
  readonly local_gb: number;
  readonly vcpus_used: number;
  readonly memory_mb_used: number;
  readonly local_gb_used: number;
  readonly free_ram_mb: number | null;
  readonly free_disk_gb: number | null;
  readonly current_workload: number | null;
  readonly running_vms: number | null;
  readonly disk_available_least: number | null;
  readonly cpu_info: string | null;
  readonly host_ip: string | null;
}

/** A database row named by its uuid or by its (cell-local) integer id. */
export type RecordRef = { readonly uuid: string } | { readonly id: number };

/** A service with its cell, whether it is up, and its availability zone. */
export interface ServiceRow {
  readonly cell: Cell;
  readonly service: ServiceRecord;
  readonly up: boolean;
  readonly zone: string;
}

/** A server as a hypervisor lists it. */
export interface NodeServer {
  readonly name: string;
  readonly uuid: string;
}

/** A compute node with its cell, its nova-compute service and whether that is up. */
export interface NodeRow {
  readonly cell: Cell;
  readonly node: ComputeNodeRecord;
  readonly service: ServiceRecord;
  readonly up: boolean;
  /** The node's live servers, when asked for. */
  readonly servers?: readonly NodeServer[];
}

/** Rows gathered from every cell that answered, and the cells that did not. */
export interface Listing<T> {
  readonly rows: T[];
  readonly failedCells: readonly Cell[];
}

/** A compute host as the host mappings place it (what is known of a cell that does not answer). */
export interface MappedHost {
  readonly cell: Cell;
  readonly host: string;
}

/** What an update may change on a service. */
export interface ServiceChanges {
  disabled?: boolean;
  disabled_reason?: string | null;
  forced_down?: boolean;
}

/** Sums over every compute node (os-hypervisors/statistics). */
export interface ComputeNodeTotals {
  count: number;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  free_ram_mb: number;
  free_disk_gb: number;
  current_workload: number;
  running_vms: number;
  disk_available_least: number;
}

/** What one project (or a total) uses on a host, in Nova's os-hosts units. */
export interface HostResourceLine {
  readonly project: string;
  readonly cpu: number;
  readonly memory_mb: number;
  readonly disk_gb: number;
}

/**
 * A compute host's resources (os-hosts show): its first node's capacity and
 * usage as reported, and what its live instances' flavors add up to, in all
 * and per project.
 */
export interface HostResources {
  readonly total: HostResourceLine;
  readonly usedNow: HostResourceLine;
  readonly usedMax: HostResourceLine;
  readonly byProject: readonly HostResourceLine[];
}

/** One host's usage audit run for a period (a task_log row). */
export interface AuditRun {
  readonly host: string;
  readonly state: string;
  readonly task_items: number;
  readonly errors: number;
  readonly message: string;
}

export interface HostInventoryPort {
  listServices(
    ctx: RequestContext,
    filters?: { host?: string; binary?: string },
  ): Promise<Listing<ServiceRow>>;
  mappedHosts(cells: readonly Cell[]): Promise<MappedHost[]>;
  findService(ctx: RequestContext, ref: RecordRef): Promise<ServiceRow>;
  findServiceByHostAndBinary(
    ctx: RequestContext,
    host: string,
    binary: string,
  ): Promise<ServiceRow>;
  updateService(ctx: RequestContext, row: ServiceRow, changes: ServiceChanges): Promise<ServiceRow>;
  deleteService(ctx: RequestContext, row: ServiceRow): Promise<void>;
  listNodes(
    ctx: RequestContext,
    options: { limit?: number; marker?: string; withServers: boolean },
  ): Promise<Listing<NodeRow>>;
  searchNodes(
    ctx: RequestContext,
    fragment: string,
    options: { withServers: boolean },
  ): Promise<Listing<NodeRow>>;
  findNode(
    ctx: RequestContext,
    ref: RecordRef,
    options: { withServers: boolean },
  ): Promise<NodeRow>;
  nodeTotals(
    ctx: RequestContext,
  ): Promise<{ totals: ComputeNodeTotals; failedCells: readonly Cell[] }>;
  /**
   * The uptime line the node's compute host reports (an RPC call to it):
   * ComputeServiceUnavailable when it does not answer, UptimeNotImplemented
   * when it cannot tell.
   */
  hostUptime(ctx: RequestContext, row: NodeRow): Promise<string>;
  /** A compute host's resources, found through its host mapping (404 when unmapped or node-less). */
  hostResources(ctx: RequestContext, host: string): Promise<HostResources>;
  /**
   * The usage audit of a period: every compute host of the cells that answer
   * (disabled ones too: they may hold instances) and the runs recorded.
   */
  usageAudit(
    ctx: RequestContext,
    period: { begin: Date; end: Date },
  ): Promise<{ hosts: string[]; runs: AuditRun[] }>;
}

export const HOST_INVENTORY = Symbol('HOST_INVENTORY');
