import type { RequestContext } from '@nova/common';
import type { BuildSecrets, WireFlavor, WireImage, WireVif } from '@nova/compute-rpc';
import type { PendingBuild } from './build-requests';
import type { ServerListQuery } from './list-query';
import type { MigrationListQuery, MigrationRecord } from './migrations';
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
  | { readonly kind: 'resume' }
  /** image: the server's own (its properties define the rescue domain); rescueImage: what boots. */
  | {
      readonly kind: 'rescue';
      readonly image: WireImage;
      readonly rescueImage: WireImage;
      readonly adminPassword: string | null;
    }
  | { readonly kind: 'unrescue' }
  | { readonly kind: 'changePassword'; readonly adminPassword: string }
  | { readonly kind: 'crashDump' }
  | { readonly kind: 'injectNetworkInfo' }
  | { readonly kind: 'restore' };

/** A move the API validated: resize, cold or live migration, evacuation. */
export type ServerMove =
  | {
      readonly kind: 'resize';
      readonly flavor: WireFlavor;
      /** OS-DCF:diskConfig, when given. */
      readonly autoDiskConfig?: boolean;
      /** The caller may resize into another cell (policy compute:servers:resize:cross_cell). */
      readonly crossCell?: boolean;
    }
  /** host: an admin's destination (2.56). */
  | { readonly kind: 'migrate'; readonly host: string | null }
  | {
      readonly kind: 'liveMigrate';
      readonly host: string | null;
      /** null: `auto` (2.25). */
      readonly blockMigration: boolean | null;
      /** Skip the scheduler's filters for `host` (2.30-2.67). */
      readonly force: boolean;
      /** 2.34: the checks run after the 202 (a failure ends in the migration's status). */
      readonly async: boolean;
    }
  | {
      readonly kind: 'evacuate';
      readonly host: string | null;
      readonly force: boolean;
      readonly adminPassword: string | null;
    };

/** createImage / createBackup, validated. */
export type ImageActionRequest =
  | {
      readonly kind: 'snapshot';
      readonly name: string;
      readonly metadata: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'backup';
      readonly name: string;
      readonly metadata: Readonly<Record<string, string>>;
      readonly backupType: string;
      readonly rotation: number;
    };

/** An unshelve the API validated (the zone exists, the host exists and is in it). */
export interface UnshelveOptions {
  /** 2.77: the zone asked for; null (2.91) unpins; absent: the zone stays as it is. */
  readonly availabilityZone?: string | null;
  /** 2.91: the host asked for, and its zone. */
  readonly host?: { readonly name: string; readonly zone: string };
}

/** A rebuild the API validated and resolved: the image, and what changes on the server. */
export interface RebuildPlan {
  readonly image: WireImage;
  readonly changes: ServerChanges & {
    readonly image_ref: string;
    readonly key_name?: string | null;
    readonly key_data?: string | null;
    readonly user_data?: string | null;
  };
  /** Replaces the server's metadata when given. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly adminPassword: string | null;
  readonly preserveEphemeral: boolean;
}

/** Nova's diagnostics of one server (the driver's report, 2.48 field names). */
export interface ServerDiagnostics {
  readonly state: string;
  readonly driver: string;
  readonly hypervisor: string | null;
  readonly hypervisorOs: string | null;
  readonly uptime: number | null;
  readonly configDrive: boolean;
  readonly memoryDetails: { readonly maximum: number; readonly used: number };
  readonly cpuDetails: ReadonlyArray<{ id: number; time: number; utilisation: number | null }>;
  readonly nicDetails: ReadonlyArray<{
    macAddress: string;
    rxOctets: number;
    rxPackets: number;
    txOctets: number;
    txPackets: number;
  }>;
  readonly diskDetails: ReadonlyArray<{
    readBytes: number;
    readRequests: number;
    writeBytes: number;
    writeRequests: number;
    errorsCount: number;
  }>;
}

/** One os-server-external-events event, as the API validated it. */
export interface ExternalEvent {
  readonly name: string;
  readonly serverUuid: string;
  readonly status: 'completed' | 'failed' | 'in-progress';
  readonly tag: string | null;
}

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
  /**
   * Write the build requests, request specs and cell-less mappings; cast to the
   * super conductor, with the admin password and personality files for the
   * config drives (never written anywhere).
   */
  build(
    ctx: RequestContext,
    builds: readonly PendingBuild[],
    secrets?: BuildSecrets,
  ): Promise<void>;
  /** Across every cell and the build requests; merged in query.sort and cut at query.limit. */
  list(ctx: RequestContext, query: ServerListQuery): Promise<ServerListing>;
  /**
   * One server through its mapping (404 InstanceNotFound when unknown, deleted or
   * queued for delete); UnknownServer when its cell does not answer.
   */
  get(ctx: RequestContext, uuid: string): Promise<ServerRecord | UnknownServer>;
  update(ctx: RequestContext, server: ServerRecord, changes: ServerChanges): Promise<ServerRecord>;
  /**
   * Delete in any state: a build request, a cell0 instance, a down host (local)
   * or a cast. With `[DEFAULT] reclaim_instance_interval` it is a soft delete
   * (restorable) unless `force` (forceDelete).
   */
  delete(
    ctx: RequestContext,
    server: ServerRecord,
    caller: Caller,
    options?: { force?: boolean },
  ): Promise<void>;
  /** os-resetState: the vm_state set by an admin, the task state cleared; no host is asked. */
  resetState(ctx: RequestContext, server: ServerRecord, state: 'active' | 'error'): Promise<void>;
  /** Rebuild on its host: checks, the swap to `rebuilding` with the new fields, the cast. */
  rebuild(
    ctx: RequestContext,
    server: ServerRecord,
    plan: RebuildPlan,
    caller: Caller,
  ): Promise<ServerRecord>;
  /** Replace the server's security groups (names). */
  setSecurityGroups(
    ctx: RequestContext,
    server: ServerRecord,
    names: readonly string[],
  ): Promise<void>;
  /** The server's NICs as its info cache records them ([] for one in no cell). */
  networkInfo(ctx: RequestContext, server: ServerRecord): Promise<WireVif[]>;
  /** Replace the recorded NICs (an interface attached or detached). */
  setNetworkInfo(
    ctx: RequestContext,
    server: ServerRecord,
    vifs: readonly WireVif[],
  ): Promise<void>;
  /** os-server-password: what the guest posted ('' when nothing), and clearing it. */
  password(ctx: RequestContext, server: ServerRecord): Promise<string>;
  clearPassword(ctx: RequestContext, server: ServerRecord): Promise<void>;
  diagnostics(ctx: RequestContext, server: ServerRecord): Promise<ServerDiagnostics>;
  /** Deliver an external event to the server's host; false when the server has none to take it. */
  externalEvent(ctx: RequestContext, server: ServerRecord, event: ExternalEvent): Promise<boolean>;
  /**
   * createImage / createBackup: the image record (queued) in the image
   * service, the task state swapped, the action recorded, the snapshot cast
   * to the host. Returns the new image's id.
   */
  createImage(
    ctx: RequestContext,
    server: ServerRecord,
    request: ImageActionRequest,
    caller: Caller,
  ): Promise<string>;
  /** Shelve: the `<name>-shelved` image record, `shelving`, the cast. */
  shelve(ctx: RequestContext, server: ServerRecord, caller: Caller): Promise<void>;
  shelveOffload(ctx: RequestContext, server: ServerRecord, caller: Caller): Promise<void>;
  /** SHELVED: powered on by its host; SHELVED_OFFLOADED: scheduled again (super conductor). */
  unshelve(
    ctx: RequestContext,
    server: ServerRecord,
    options: UnshelveOptions,
    caller: Caller,
  ): Promise<void>;
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
  /** Migrations across every cell that answers, newest first, cut at query.limit. */
  migrations(ctx: RequestContext, query: MigrationListQuery): Promise<MigrationRecord[]>;
  /**
   * Start a move: state (409), source host up (409; down for an evacuation,
   * else 400), a requested host (Nova's 400/404), the swap of task_state, the
   * instance action, the super conductor. NoValidHost is 400 for the moves
   * that wait for the scheduler.
   */
  move(ctx: RequestContext, server: ServerRecord, move: ServerMove, caller: Caller): Promise<void>;
  /** confirmResize / revertResize of a server in VERIFY_RESIZE (400 when it was not resized). */
  finishResize(
    ctx: RequestContext,
    server: ServerRecord,
    how: 'confirm' | 'revert',
    caller: Caller,
  ): Promise<void>;
  /** servers/{id}/migrations: its live migrations in progress (2.23). */
  serverMigrations(ctx: RequestContext, server: ServerRecord): Promise<MigrationRecord[]>;
  /** One migration of the server by its id (null: none of that id for this server). */
  serverMigration(
    ctx: RequestContext,
    server: ServerRecord,
    id: number,
  ): Promise<MigrationRecord | null>;
  /**
   * force_complete (2.22) or abort (2.24; queued and preparing ones too from
   * 2.65) of the server's live migration `id`.
   */
  controlLiveMigration(
    ctx: RequestContext,
    server: ServerRecord,
    id: number,
    action: 'force_complete' | 'abort',
    options: { abortQueued: boolean },
    caller: Caller,
  ): Promise<void>;
  /** Newest first; a deleted instance's actions too (os-instance-actions). */
  instanceActions(ctx: RequestContext, uuid: string): Promise<InstanceActionRecord[]>;
}

export const SERVERS = Symbol('SERVERS');
