import type { WireFlavor, WireGuest, WireImage, WireVif } from './wire-types';

/** Nova's migration types (the migrations table's migration_type). */
export type MigrationType = 'resize' | 'migration' | 'live-migration' | 'evacuation';

/** Migration statuses after which a move holds nothing any more. */
export const FINAL_MIGRATION_STATUSES: readonly string[] = [
  'confirmed',
  'reverted',
  'error',
  'failed',
  'completed',
  'cancelled',
  'done',
];

/** Statuses of a live migration still under way (Nova's in-progress list). */
export const LIVE_MIGRATION_IN_PROGRESS: readonly string[] = [
  'queued',
  'preparing',
  'running',
  'post-migrating',
];

/** A migration record as it crosses the queues. */
export interface WireMigration {
  readonly id: number;
  readonly uuid: string;
  readonly instance_uuid: string;
  readonly migration_type: MigrationType;
  readonly status: string;
  readonly source_compute: string;
  readonly source_node: string | null;
  readonly dest_compute: string | null;
  readonly dest_node: string | null;
}

/** What the API asks the super conductor to move (after its checks and the swap of task_state). */
export interface WireMoveRequest {
  readonly instance_uuid: string;
  readonly migration_type: MigrationType;
  /** The task state the API set (the conductor swaps back from it when the move cannot start). */
  readonly task_state: string;
  /** A resize's new flavor (other moves keep the instance's). */
  readonly flavor: WireFlavor | null;
  /** The destination an admin asked for. */
  readonly host: string | null;
  /** Skip the scheduler's filters for `host` (2.29/2.30 force); placement still claims. */
  readonly force: boolean;
  /** May the destination be the source host (`allow_resize_to_same_host` for a resize). */
  readonly same_host: boolean;
  /** Live migration: true, false or null (auto). */
  readonly block_migration?: boolean | null;
  /** Evacuation's new admin password (not stored, as in Nova). */
  readonly admin_password?: string | null;
  /** A resize the caller may move to another cell (policy compute:servers:resize:cross_cell). */
  readonly cross_cell?: boolean;
}

/** The guest a compute host recreates on another host (no database needed there). */
export interface WireMovedGuest {
  readonly instance_uuid: string;
  readonly instance_name: string;
  /** Injected failures of the fake driver match it too. */
  readonly display_name: string;
  readonly image: WireImage;
  readonly user_data: string | null;
  readonly key_data: string | null;
  readonly vifs: readonly WireVif[];
  /** What its config drive tells it, built again on the destination (absent from older casts). */
  readonly facts?: WireGuest;
}

/** One step of a move as a compute host needs it: the migration, the guest, both flavors. */
export interface WireMove {
  readonly migration: WireMigration;
  readonly guest: WireMovedGuest;
  readonly old_flavor: WireFlavor;
  readonly new_flavor: WireFlavor;
  /** The vm_state the move started from: a stopped server stays stopped. */
  readonly old_vm_state: string;
  readonly block_migration?: boolean | null;
  readonly admin_password?: string | null;
  /** A live migration's guest power state, for the destination to take over. */
  readonly power_state?: number;
}

/** A compute host's report of one step of a move, applied by its cell conductor. */
export interface MoveUpdate {
  readonly instance_uuid: string;
  /** The instance's task_state must be one of these (compare-and-swap). */
  readonly expected_task_state: ReadonlyArray<string | null>;
  readonly instance: {
    readonly vm_state?: string;
    readonly task_state?: string | null;
    readonly power_state?: number;
    readonly host?: string;
    readonly node?: string | null;
    readonly launched_at?: string;
    /** Which of the move's flavors the instance runs with from now on. */
    readonly flavor?: 'old' | 'new';
    /** The move is over: forget its old and new flavors. */
    readonly clear_move_flavors?: boolean;
  };
  readonly migration?: {
    readonly uuid: string;
    /** Compare-and-swap on the migration's status (absent: any). */
    readonly expected_status?: readonly string[];
    readonly status: string;
  };
  /**
   * The source allocation the migration holds: `drop` it (the move is done),
   * or `revert` it to the instance (replacing what the instance holds on the
   * destination: the move is undone).
   */
  readonly allocations?: 'drop' | 'revert';
  readonly fault?: { readonly message: string; readonly details: string | null };
  /** Whose report it is (fault host). */
  readonly host: string;
}
