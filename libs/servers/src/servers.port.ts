import type { RequestContext } from '@nova/common';
import type { PendingBuild } from './build-requests';
import type { ServerListQuery } from './list-query';
import type { ServerRecord, UnknownServer } from './server-record';

/**
 * What the compute API asks of the servers wherever they live (build requests,
 * cell0, the cells). The API (global side) depends on this port; cells/servers
 * implements it over the cell databases and queues, and the process wires the two.
 */

/** An instance operation the API starts and a compute host carries out. */
export type ServerOperation =
  | { readonly kind: 'reboot'; readonly type: 'SOFT' | 'HARD' }
  | { readonly kind: 'stop' }
  | { readonly kind: 'start' }
  | { readonly kind: 'pause' }
  | { readonly kind: 'unpause' }
  | { readonly kind: 'suspend' }
  | { readonly kind: 'resume' };

/** Fields PUT /servers/{id} may change. */
export interface ServerChanges {
  readonly display_name?: string;
  readonly display_description?: string | null;
  readonly access_ip_v4?: string | null;
  readonly access_ip_v6?: string | null;
  readonly hostname?: string;
  readonly auto_disk_config?: boolean;
}

/** A listing: the merged, cut page, and which cells did not answer. */
export interface ServerListing {
  readonly servers: ReadonlyArray<ServerRecord | UnknownServer>;
  readonly failedCells: readonly string[];
}

export interface InstanceActionEventRecord {
  readonly event: string;
  readonly start_time: Date | null;
  readonly finish_time: Date | null;
  readonly result: string | null;
  readonly traceback: string | null;
  readonly host: string | null;
  readonly details: string | null;
}

export interface InstanceActionRecord {
  readonly action: string;
  readonly instance_uuid: string;
  readonly request_id: string;
  readonly user_id: string | null;
  readonly project_id: string | null;
  readonly start_time: Date | null;
  readonly updated_at: Date | null;
  readonly message: string | null;
  readonly events: readonly InstanceActionEventRecord[];
}

/** Who asks: admins pass lock checks and see deleted instances' actions. */
export interface Caller {
  readonly isAdmin: boolean;
}

export interface ServersPort {
  /** Write the build requests, request specs and cell-less mappings; cast to the super conductor. */
  build(ctx: RequestContext, builds: readonly PendingBuild[]): Promise<void>;
  /** Across every cell and the build requests; merged in query.sort and cut at query.limit. */
  list(ctx: RequestContext, query: ServerListQuery): Promise<ServerListing>;
  /**
   * One server through its mapping (404 InstanceNotFound when unknown, deleted or
   * queued for delete); UnknownServer when its cell does not answer.
   */
  get(ctx: RequestContext, uuid: string): Promise<ServerRecord | UnknownServer>;
  update(ctx: RequestContext, server: ServerRecord, changes: ServerChanges): Promise<ServerRecord>;
  /** Delete in any state: a build request, a cell0 instance, a down host (local) or a cast. */
  delete(ctx: RequestContext, server: ServerRecord, caller: Caller): Promise<void>;
  /** Check the state (409), compare-and-swap the task state, record the action, cast. */
  operate(
    ctx: RequestContext,
    server: ServerRecord,
    op: ServerOperation,
    caller: Caller,
  ): Promise<void>;
  setLock(
    ctx: RequestContext,
    server: ServerRecord,
    lock: { locked: true; reason: string | null } | { locked: false },
  ): Promise<void>;
  consoleOutput(ctx: RequestContext, server: ServerRecord, length: number | null): Promise<string>;
  /** Merge into (replace=false) or replace the metadata; returns the resulting metadata. */
  setMetadata(
    ctx: RequestContext,
    server: ServerRecord,
    metadata: Readonly<Record<string, string>>,
    replace: boolean,
  ): Promise<Record<string, string>>;
  deleteMetadataItem(ctx: RequestContext, server: ServerRecord, key: string): Promise<void>;
  /** Replace all tags (an empty list deletes them). */
  setTags(ctx: RequestContext, server: ServerRecord, tags: readonly string[]): Promise<string[]>;
  addTag(ctx: RequestContext, server: ServerRecord, tag: string): Promise<boolean>;
  deleteTag(ctx: RequestContext, server: ServerRecord, tag: string): Promise<void>;
  /** Newest first; a deleted instance's actions too (os-instance-actions). */
  instanceActions(ctx: RequestContext, uuid: string): Promise<InstanceActionRecord[]>;
}

export const SERVERS = Symbol('SERVERS');
