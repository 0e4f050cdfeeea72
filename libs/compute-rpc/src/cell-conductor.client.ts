import type { RequestContext } from '@nova/common';
import { UnsupportedVersion, type RpcTransport } from '@nova/rpc';
import { pinnedEnvelope, type RpcVersionPins } from './rpc-version-pins';
import { SERVICE_VERSION } from './service-versions';
import { CONDUCTOR_TOPIC } from './topics';
import type { MoveUpdate } from './move-types';
import type { WireBuild } from './wire-types';

/** Instance fields a compute host may change (through its cell conductor). */
export interface InstanceUpdates {
  readonly vm_state?: string;
  readonly task_state?: string | null;
  readonly power_state?: number;
  readonly launched_at?: string;
  readonly terminated_at?: string;
  /** Set when soft-deleted (the reclaim clock), null when restored. */
  readonly deleted_at?: string | null;
  /** An offloaded (or failed unshelve) instance is on no host any more. */
  readonly host?: null;
  readonly node?: null;
  /** 'True' once the host gave the guest a config drive (forced by the host or its image). */
  readonly config_drive?: string;
}

/** An instance action's event, as the host starts or finishes it. */
export interface ActionEventArgs {
  readonly event: string;
  readonly host: string;
  readonly result: 'start' | 'Success' | 'Error';
  readonly details?: string;
}

/**
 * A host change and its action event in Nova's order: a start is recorded
 * whatever the change finds (the two at once), a finish only once it held.
 */
export async function changeWithEvent(
  result: ActionEventArgs['result'],
  change: () => Promise<void>,
  record: () => Promise<void>,
): Promise<void> {
  if (result === 'start') {
    await Promise.all([record(), change()]);
    return;
  }
  await change();
  await record();
}

export interface ServiceReportReply {
  /** Per binary, the lowest version its live services of the cell record (older conductors: none). */
  readonly min_versions?: Readonly<Record<string, number>>;
}

export interface HostInstance {
  readonly uuid: string;
  readonly vm_state: string | null;
  readonly task_state: string | null;
  readonly power_state: number | null;
  /** ISO time of a soft delete (the instance is still there until reclaimed). */
  readonly deleted_at: string | null;
  /** ISO time a SHELVED instance was shelved (system metadata `shelved_at`), else null. */
  readonly shelved_at?: string | null;
}

export interface ComputeNodeReport {
  readonly host: string;
  readonly hypervisor_hostname: string;
  readonly hypervisor_type: string;
  readonly hypervisor_version: number;
  readonly vcpus: number;
  readonly memory_mb: number;
  readonly local_gb: number;
  readonly cpu_info: string;
  readonly host_ip: string;
}

/**
 * The cell conductor, as a compute host sees it: the only way a compute reaches
 * its cell's data (computes hold no database credentials).
 */
export class CellConductorClient {
  constructor(
    private readonly mq: RpcTransport,
    private readonly timeoutMs: number,
    /** The version caps; by default the process's (`[upgrade_levels] conductor`). */
    private readonly pins?: RpcVersionPins,
  ) {}

  /**
   * Compare-and-swap on task_state: UnexpectedTaskState (409) when it moved on,
   * e.g. deleted. With `event`, the action event goes in the same call
   * (conductor 1.27): a start is recorded whatever the swap finds, a finish
   * only once the swap held. An older conductor gets the two calls it knows.
   */
  async instanceUpdate(
    ctx: RequestContext,
    uuid: string,
    expectedTaskState: ReadonlyArray<string | null>,
    updates: InstanceUpdates,
    event?: ActionEventArgs,
  ): Promise<void> {
    const args = { uuid, expected_task_state: expectedTaskState, updates };
    if (!event) {
      await this.call(ctx, 'instance_update', args);
      return;
    }
    try {
      await this.call(ctx, 'instance_update', { ...args, event });
    } catch (err) {
      if (!(err instanceof UnsupportedVersion)) {
        throw err;
      }
      await changeWithEvent(
        event.result,
        async () => void (await this.call(ctx, 'instance_update', args)),
        () => this.actionEvent(ctx, uuid, event.event, event.host, event.result, event.details),
      );
    }
  }

  async instancesOnHost(ctx: RequestContext, host: string): Promise<HostInstance[]> {
    return (await this.call(ctx, 'instances_on_host', { host })) as HostInstance[];
  }

  async actionEvent(
    ctx: RequestContext,
    uuid: string,
    event: string,
    host: string,
    result: 'start' | 'Success' | 'Error',
    details?: string,
  ): Promise<void> {
    await this.call(ctx, 'action_event', { uuid, event, host, result, details: details ?? null });
  }

  /** A spawn failed: try an alternate host or put the instance in ERROR with a fault. */
  /** `abort`: no reschedule (Nova's BuildAbortException), the instance goes to ERROR. */
  async buildFailed(
    ctx: RequestContext,
    host: string,
    build: WireBuild,
    reason: string,
    abort = false,
  ): Promise<void> {
    await this.mq.cast(
      { topic: CONDUCTOR_TOPIC },
      await this.envelope(ctx, 'build_failed', {
        host,
        build,
        reason,
        ...(abort ? { abort } : {}),
      }),
    );
  }

  /** The guest is gone from the hypervisor: delete the instance and free what it held. */
  async instanceDestroyed(ctx: RequestContext, uuid: string): Promise<void> {
    await this.call(ctx, 'instance_destroyed', { uuid });
  }

  /**
   * What the guest posted as its (encrypted) password, kept for
   * os-server-password; null clears it.
   */
  async setPassword(ctx: RequestContext, uuid: string, password: string | null): Promise<void> {
    await this.call(ctx, 'set_password', { uuid, password });
  }

  /** One step of a move: instance (compare-and-swap), migration status, allocations, fault. */
  async moveUpdate(ctx: RequestContext, update: MoveUpdate): Promise<void> {
    await this.call(ctx, 'move_update', { update });
  }

  /** The migration's status, swapped from one of `expected`: MigrationStateChanged otherwise. */
  async migrationStatus(
    ctx: RequestContext,
    migrationUuid: string,
    expected: readonly string[],
    status: string,
  ): Promise<void> {
    await this.call(ctx, 'migration_status', { uuid: migrationUuid, expected, status });
  }

  /**
   * Evacuations away from `host` that finished while it was down (Nova's
   * _destroy_evacuated_instances): the host drops those guests, then reports
   * each cleaned up.
   */
  async evacuationsFrom(
    ctx: RequestContext,
    host: string,
  ): Promise<Array<{ migration_uuid: string; instance_uuid: string }>> {
    return (await this.call(ctx, 'evacuations_from', { host })) as Array<{
      migration_uuid: string;
      instance_uuid: string;
    }>;
  }

  /** The evacuated guest is gone from its old host: its allocation there goes. */
  async evacuationCleaned(ctx: RequestContext, migrationUuid: string): Promise<void> {
    await this.call(ctx, 'evacuation_cleaned', { uuid: migrationUuid });
  }

  /**
   * The scheduler placed the move: the cell conductor builds what the hosts
   * need and starts the source (or, for an evacuation, the destination).
   */
  executeMove(
    ctx: RequestContext,
    migrationUuid: string,
    extras: { block_migration?: boolean | null; admin_password?: string | null } = {},
  ): Promise<void> {
    return this.cast(ctx, 'execute_move', { uuid: migrationUuid, extras });
  }

  /** A resize the API (or the auto-confirm) confirmed: its source host drops the old guest. */
  confirmResize(ctx: RequestContext, migrationUuid: string): Promise<void> {
    return this.cast(ctx, 'confirm_resize', { uuid: migrationUuid });
  }

  /** A resize the API reverted: the destination drops the guest, the source restarts the old one. */
  revertResize(ctx: RequestContext, migrationUuid: string): Promise<void> {
    return this.cast(ctx, 'revert_resize', { uuid: migrationUuid });
  }

  /** Set (or, with null, remove) system metadata keys of the instance (`shelved_*`). */
  async setSystemMetadata(
    ctx: RequestContext,
    uuid: string,
    values: Readonly<Record<string, string | null>>,
  ): Promise<void> {
    await this.call(ctx, 'set_system_metadata', { uuid, values });
  }

  /** Record an instance fault (Nova's wrap_instance_fault). */
  async addFault(
    ctx: RequestContext,
    uuid: string,
    fault: { code: number; message: string; details: string | null; host: string | null },
  ): Promise<void> {
    await this.call(ctx, 'instance_fault', { uuid, ...fault });
  }

  /** Free the instance's placement allocation (an offload, a failed unshelve). */
  async releaseAllocation(ctx: RequestContext, uuid: string): Promise<void> {
    await this.call(ctx, 'release_allocation', { uuid });
  }

  /**
   * The host's heartbeat, with its own service version; answers the lowest
   * service version of each binary in the cell (for `[upgrade_levels]` auto).
   */
  async serviceReport(
    ctx: RequestContext,
    host: string,
    binary: string,
  ): Promise<ServiceReportReply> {
    const reply = (await this.call(ctx, 'service_report', {
      host,
      binary,
      version: SERVICE_VERSION,
    })) as ServiceReportReply | undefined;
    // An older conductor answers nothing.
    return reply ?? {};
  }

  async computeNodeReport(ctx: RequestContext, node: ComputeNodeReport): Promise<void> {
    await this.call(ctx, 'compute_node_report', { node });
  }

  private async cast(
    ctx: RequestContext,
    method: string,
    args: Record<string, unknown>,
  ): Promise<void> {
    await this.mq.cast({ topic: CONDUCTOR_TOPIC }, await this.envelope(ctx, method, args));
  }

  /** Audit the host's instance usage for a period (recorded once per host and period). */
  async instanceUsageAudit(
    ctx: RequestContext,
    host: string,
    period: { begin: Date; end: Date },
  ): Promise<boolean> {
    return (await this.call(ctx, 'instance_usage_audit', {
      host,
      begin: period.begin.toISOString(),
      end: period.end.toISOString(),
    })) as boolean;
  }

  private envelope(ctx: RequestContext, method: string, args: Record<string, unknown>) {
    return pinnedEnvelope(ctx, 'conductor', method, args, this.pins);
  }

  private async call(
    ctx: RequestContext,
    method: string,
    args: Record<string, unknown>,
  ): Promise<unknown> {
    return this.mq.call(
      { topic: CONDUCTOR_TOPIC },
      await this.envelope(ctx, method, args),
      this.timeoutMs,
    );
  }
}
