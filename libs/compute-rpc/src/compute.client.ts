import type { RequestContext } from '@nova/common';
import { envelope, type RpcTransport } from '@nova/rpc';
import { COMPUTE_RPC_VERSION, COMPUTE_TOPIC } from './topics';
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
  | 'terminate_instance';

/** One compute host, reached on its cell's queue (`compute.<host>`). */
export class ComputeClient {
  constructor(
    private readonly mq: RpcTransport,
    private readonly timeoutMs: number,
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

  async consoleOutput(ctx: RequestContext, host: string, instanceUuid: string): Promise<string> {
    return (await this.mq.call(
      { topic: COMPUTE_TOPIC, server: host },
      envelope(ctx, 'get_console_output', { instance_uuid: instanceUuid }, COMPUTE_RPC_VERSION),
      this.timeoutMs,
    )) as string;
  }

  private cast(ctx: RequestContext, host: string, method: string, args: Record<string, unknown>) {
    return this.mq.cast(
      { topic: COMPUTE_TOPIC, server: host },
      envelope(ctx, method, args, COMPUTE_RPC_VERSION),
    );
  }
}
