import type { RequestContext } from '@nova/common';
import { envelope, type RpcTransport } from '@nova/rpc';
import { CONDUCTOR_RPC_VERSION, CONDUCTOR_TOPIC } from './topics';

/** The API-level ("super") conductor, reached on the API-level queue. */
export class SuperConductorClient {
  constructor(private readonly mq: RpcTransport) {}

  /** Schedule the build requests of these instances and build them in their cells. */
  scheduleAndBuild(ctx: RequestContext, instanceUuids: readonly string[]): Promise<void> {
    return this.mq.cast(
      { topic: CONDUCTOR_TOPIC },
      envelope(
        ctx,
        'schedule_and_build_instances',
        { instance_uuids: instanceUuids },
        CONDUCTOR_RPC_VERSION,
      ),
    );
  }
}
