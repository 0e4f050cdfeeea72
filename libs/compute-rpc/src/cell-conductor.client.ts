import type { RequestContext } from '@nova/common';
import { envelope, type RpcTransport } from '@nova/rpc';
import { CONDUCTOR_RPC_VERSION, CONDUCTOR_TOPIC } from './topics';
import type { WireBuild } from './wire-types';

/** Instance fields a compute host may change (through its cell conductor). */
export interface InstanceUpdates {
  readonly vm_state?: string;
  readonly task_state?: string | null;
  readonly power_state?: number;
  readonly launched_at?: string;
  readonly terminated_at?: string;
}

export interface HostInstance {
  readonly uuid: string;
  readonly vm_state: string | null;
  readonly task_state: string | null;
  readonly power_state: number | null;
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
  ) {}

  /** Compare-and-swap on task_state: UnexpectedTaskState (409) when it moved on, e.g. deleted. */
  async instanceUpdate(
    ctx: RequestContext,
    uuid: string,
    expectedTaskState: ReadonlyArray<string | null>,
    updates: InstanceUpdates,
  ): Promise<void> {
    await this.call(ctx, 'instance_update', {
      uuid,
      expected_task_state: expectedTaskState,
      updates,
    });
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
  buildFailed(ctx: RequestContext, host: string, build: WireBuild, reason: string): Promise<void> {
    return this.mq.cast(
      { topic: CONDUCTOR_TOPIC },
      envelope(ctx, 'build_failed', { host, build, reason }, CONDUCTOR_RPC_VERSION),
    );
  }

  /** The guest is gone from the hypervisor: delete the instance and free what it held. */
  async instanceDestroyed(ctx: RequestContext, uuid: string): Promise<void> {
    await this.call(ctx, 'instance_destroyed', { uuid });
  }

  async serviceReport(ctx: RequestContext, host: string, binary: string): Promise<void> {
    await this.call(ctx, 'service_report', { host, binary });
  }

  async computeNodeReport(ctx: RequestContext, node: ComputeNodeReport): Promise<void> {
    await this.call(ctx, 'compute_node_report', { node });
  }

  private call(
    ctx: RequestContext,
    method: string,
    args: Record<string, unknown>,
  ): Promise<unknown> {
    return this.mq.call(
      { topic: CONDUCTOR_TOPIC },
      envelope(ctx, method, args, CONDUCTOR_RPC_VERSION),
      this.timeoutMs,
    );
  }
}
