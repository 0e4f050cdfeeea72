import type { RequestContext } from '@nova/common';
import type { RpcTransport } from '@nova/rpc';
import { pinnedEnvelope, type RpcVersionPins } from './rpc-version-pins';
import { SCHEDULER_TOPIC } from './topics';
import type { Destinations, WireRequestSpec } from './wire-types';

/** The scheduler, reached on the API-level queue. */
export class SchedulerClient {
  constructor(
    private readonly mq: RpcTransport,
    private readonly timeoutMs: number,
    /** The version caps; by default the process's (`[upgrade_levels] scheduler`). */
    private readonly pins?: RpcVersionPins,
  ) {}

  /** Hosts for every instance of the spec, resources already claimed; NoValidHost otherwise. */
  async selectDestinations(ctx: RequestContext, spec: WireRequestSpec): Promise<Destinations> {
    return (await this.mq.call(
      { topic: SCHEDULER_TOPIC },
      await this.envelope(ctx, 'select_destinations', { spec }),
      this.timeoutMs,
    )) as Destinations;
  }

  private envelope(ctx: RequestContext, method: string, args: Record<string, unknown>) {
    return pinnedEnvelope(ctx, 'scheduler', method, args, this.pins);
  }
}
