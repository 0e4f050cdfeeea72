import type { RequestContext } from '@nova/common';
import { envelope, type RpcTransport } from '@nova/rpc';
import { SCHEDULER_RPC_VERSION, SCHEDULER_TOPIC } from './topics';
import type { Destinations, WireRequestSpec } from './wire-types';

/** The scheduler, reached on the API-level queue. */
export class SchedulerClient {
  constructor(
    private readonly mq: RpcTransport,
    private readonly timeoutMs: number,
  ) {}

  /** Hosts for every instance of the spec, resources already claimed; NoValidHost otherwise. */
  async selectDestinations(ctx: RequestContext, spec: WireRequestSpec): Promise<Destinations> {
    return (await this.mq.call(
      { topic: SCHEDULER_TOPIC },
      envelope(ctx, 'select_destinations', { spec }, SCHEDULER_RPC_VERSION),
      this.timeoutMs,
    )) as Destinations;
  }
}
