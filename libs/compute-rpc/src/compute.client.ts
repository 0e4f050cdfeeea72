import type { RequestContext } from '@nova/common';
import type { RpcTransport } from '@nova/rpc';
import type { ConsoleKind, WireConsoleEndpoint } from './consoles';
import { pinnedEnvelope, type RpcVersionPins } from './rpc-version-pins';
import { COMPUTE_TOPIC } from './topics';
import type { WireMove } from './move-types';
import type { WireBuild } from './wire-types';

/** Power and lifecycle operations a compute host performs on one of its instances. */
export type InstanceOperation =
  | 'reboot_instance'
  | 'stop_instance'
  | 'start_instance'
  | 'pause_instance'
  | 'unpause_instance'
  | 'suspend_instance'
  | 'resume_instance'
  | 'rescue_instance'
  | 'unrescue_instance'
  | 'set_admin_password'
  | 'trigger_crash_dump'
  | 'inject_network_info'
  | 'soft_delete_instance'
  | 'restore_instance'
  | 'rebuild_instance'
  | 'external_instance_event'
  | 'snapshot_instance'
  | 'backup_instance'
  | 'shelve_instance'
  | 'shelve_offload_instance'
  | 'unshelve_instance'
  | 'terminate_instance';

/** The steps of a move a compute host carries out (cast, the host reports through its conductor). */
export type MoveOperation =
  | 'resize_instance'
  | 'finish_resize'
  | 'confirm_resize'
  | 'revert_resize'
  | 'finish_revert_resize'
  | 'live_migration'
  | 'rollback_live_migration_at_destination'
  | 'evacuate_instance';

/** Steps of a live migration the source waits for on the destination. */
export type MoveCall = 'pre_live_migration' | 'post_live_migration_at_destination';

/** A host's steps in a cross-cell resize, driven and waited for by the super conductor. */
export type CrossCellStep =
  | 'prep_snapshot_based_resize_at_source'
  | 'finish_snapshot_based_resize_at_dest'
  | 'revert_snapshot_based_resize_at_dest'
  | 'finish_revert_snapshot_based_resize_at_source'
  | 'confirm_snapshot_based_resize_at_source';

/** One compute host, reached on its cell's queue (`compute.<host>`). */
export class ComputeClient {
  constructor(
    private readonly mq: RpcTransport,
    private readonly timeoutMs: number,
    /** The version caps; by default the process's (`[upgrade_levels] compute`). */
    private readonly pins?: RpcVersionPins,
  ) {}

  buildAndRun(ctx: RequestContext, host: string, build: WireBuild): Promise<void> {
    return this.cast(ctx, host, 'build_and_run_instance', { build });
  }

  operate(
    ctx: RequestContext,
    host: string,
    operation: InstanceOperation,
    instanceUuid: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    return this.cast(ctx, host, operation, { instance_uuid: instanceUuid, ...extra });
  }

  /** One step of a move, on the host that carries it out. */
  move(
    ctx: RequestContext,
    host: string,
    step: MoveOperation,
    move: WireMove,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    return this.cast(ctx, host, step, { instance_uuid: move.guest.instance_uuid, move, ...extra });
  }

  /** A step of a live migration the caller waits for (the destination prepares or takes over). */
  async moveCall(ctx: RequestContext, host: string, step: MoveCall, move: WireMove): Promise<void> {
    await this.mq.call(
      { topic: COMPUTE_TOPIC, server: host },
      await this.envelope(ctx, step, { instance_uuid: move.guest.instance_uuid, move }),
      this.timeoutMs,
    );
  }

  /** A cross-cell step on `host`, waited for; answers the guest's power state. */
  async crossCellStep(
    ctx: RequestContext,
    host: string,
    step: CrossCellStep,
    move: WireMove,
  ): Promise<number> {
    const power = await this.mq.call(
      { topic: COMPUTE_TOPIC, server: host },
      await this.envelope(ctx, step, { instance_uuid: move.guest.instance_uuid, move }),
      this.timeoutMs,
    );
    return Number(power ?? 0);
  }

  /** A running live migration: finish it now (force_complete) or stop it (abort). */
  liveMigrationControl(
    ctx: RequestContext,
    host: string,
    instanceUuid: string,
    migrationUuid: string,
    action: 'force_complete' | 'abort',
  ): Promise<void> {
    return this.cast(
      ctx,
      host,
      action === 'abort' ? 'live_migration_abort' : 'live_migration_force_complete',
      { instance_uuid: instanceUuid, migration_uuid: migrationUuid },
    );
  }

  /** The server is gone while its old copy waits on the source of a resize: drop that copy. */
  cleanupMoveSource(ctx: RequestContext, host: string, instanceUuid: string): Promise<void> {
    return this.cast(ctx, host, 'cleanup_move_source', { instance_uuid: instanceUuid });
  }

  /**
   * The guest's console log, its last `tailLength` lines only when given (a
   * host older than compute RPC 6.1 sends it whole: trim it with tailLines).
   */
  async consoleOutput(
    ctx: RequestContext,
    host: string,
    instanceUuid: string,
    tailLength: number | null = null,
  ): Promise<string> {
    return (await this.mq.call(
      { topic: COMPUTE_TOPIC, server: host },
      await this.envelope(ctx, 'get_console_output', {
        instance_uuid: instanceUuid,
        ...(tailLength === null ? {} : { tail_length: tailLength }),
      }),
      this.timeoutMs,
    )) as string;
  }

  /** The guest's diagnostics as its driver reports them (WireDiagnostics). */
  async diagnostics(ctx: RequestContext, host: string, instanceUuid: string): Promise<unknown> {
    return this.mq.call(
      { topic: COMPUTE_TOPIC, server: host },
      await this.envelope(ctx, 'get_diagnostics', { instance_uuid: instanceUuid }),
      this.timeoutMs,
    );
  }

  /** Where the proxies reach the guest's console of this kind (opened on demand by the fake driver). */
  async consoleEndpoint(
    ctx: RequestContext,
    host: string,
    instanceUuid: string,
    kind: ConsoleKind,
  ): Promise<WireConsoleEndpoint> {
    return (await this.mq.call(
      { topic: COMPUTE_TOPIC, server: host },
      await this.envelope(ctx, 'get_console_endpoint', { instance_uuid: instanceUuid, kind }),
      this.timeoutMs,
    )) as WireConsoleEndpoint;
  }

  /** The host's uptime line, as its driver reports it (Nova's get_host_uptime). */
  async hostUptime(ctx: RequestContext, host: string): Promise<string> {
    return (await this.mq.call(
      { topic: COMPUTE_TOPIC, server: host },
      await this.envelope(ctx, 'get_host_uptime', {}),
      this.timeoutMs,
    )) as string;
  }

  private async cast(
    ctx: RequestContext,
    host: string,
    method: string,
    args: Record<string, unknown>,
  ): Promise<void> {
    await this.mq.cast(
      { topic: COMPUTE_TOPIC, server: host },
      await this.envelope(ctx, method, args),
    );
  }

  private envelope(ctx: RequestContext, method: string, args: Record<string, unknown>) {
    return pinnedEnvelope(ctx, 'compute', method, args, this.pins);
  }
}
