import { Inject, Injectable } from '@nestjs/common';
import { cellDb } from '@nova/cells/db';
import { Invalid, type RequestContext } from '@nova/common';
import {
  ComputeClient,
  NoValidHost,
  SchedulerClient,
  UnexpectedTaskState,
  type WireImage,
  type WireRebuild,
} from '@nova/compute-rpc';
import { checkActionAllowed, InstanceInvalidState, TaskState, VmState } from '@nova/compute-state';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import {
  BuildRequests,
  flatVifs,
  wireGuestOf,
  type Caller,
  type RebuildPlan,
  type ServerRecord,
} from '@nova/servers';
import { ApiLevelTransport } from './api-transport';
import { instanceNotFound, ServerLookup } from './server-lookup';
import { InstanceNotReady } from './server-operations';

/** Nova's ImageUnacceptable (400). */
export class ImageUnacceptable extends Invalid {
  constructor(imageId: string, reason: string) {
    super(`Image ${imageId} is unacceptable: ${reason}`, { image_id: imageId });
  }
}

/**
 * Rebuild on the server's own host. A new image is first put to the
 * scheduler's image filters for that host (Nova's rebuild check; no claim, the
 * server holds its resources already): refused, the request is 400 and nothing
 * changed. Then one compare-and-swap sets `rebuilding` with every new field
 * (metadata in the same transaction), and the host is told.
 */
@Injectable()
export class ServerRebuild {
  constructor(
    private readonly lookup: ServerLookup,
    private readonly builds: BuildRequests,
    private readonly apiMq: ApiLevelTransport,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  async rebuild(
    ctx: RequestContext,
    server: ServerRecord,
    plan: RebuildPlan,
    caller: Caller,
  ): Promise<ServerRecord> {
    checkActionAllowed('rebuild', server, caller.isAdmin);
    const host = server.host;
    if (!host || !server.cell_uuid) {
      throw new InstanceNotReady(server.uuid);
    }
    if (plan.image.id !== server.image_ref) {
      await this.checkHostTakes(ctx, server, host, plan.image);
    }
    const cctx = await this.lookup.cellOf(ctx, server);
    const db = await cellDb(cctx);
    try {
      await db.writer.compareAndSwap(
        server.uuid,
        [null],
        { ...plan.changes, task_state: TaskState.REBUILDING },
        plan.metadata !== undefined ? { metadata: plan.metadata } : {},
      );
    } catch (err) {
      if (err instanceof UnexpectedTaskState) {
        throw new InstanceInvalidState(
          `Cannot 'rebuild' instance ${server.uuid} while it is in task_state ${String(
            (err.kwargs['actual'] as string | null | undefined) ?? 'None',
          )}`,
        );
      }
      throw err;
    }
    await db.writer.startAction(ctx, server.uuid, 'rebuild');
    await this.builds.setSpecImage(server.uuid, plan.image);
    const [current, nics] = await Promise.all([
      db.servers.get(server.uuid),
      db.servers.networkInfo(server.uuid),
    ]);
    if (!current) {
      throw instanceNotFound(server.uuid);
    }
    const wire: WireRebuild = {
      instance_uuid: server.uuid,
      instance_name: server.instance_name ?? server.uuid,
      flavor: server.flavor,
      image: plan.image,
      user_data: current.user_data,
      key_data: current.key_data,
      vifs: flatVifs(nics, this.config),
      admin_password: plan.adminPassword,
      preserve_ephemeral: plan.preserveEphemeral,
      was_stopped: server.vm_state === VmState.STOPPED,
      guest: wireGuestOf(current, plan.adminPassword),
    };
    const compute = new ComputeClient(
      await cctx.cell.mq(),
      this.config.DEFAULT.rpc_response_timeout * 1000,
    );
    await compute.operate(ctx, host, 'rebuild_instance', server.uuid, { rebuild: wire });
    return current;
  }

  private async checkHostTakes(
    ctx: RequestContext,
    server: ServerRecord,
    host: string,
    image: WireImage,
  ): Promise<void> {
    const spec = await this.builds.spec(server.uuid);
    if (!spec) {
      return; // a server from before request specs were kept: nothing to check against
    }
    const scheduler = new SchedulerClient(
      await this.apiMq.get(),
      this.config.DEFAULT.rpc_response_timeout * 1000,
    );
    try {
      await scheduler.selectDestinations(ctx, {
        ...spec,
        instance_uuids: [server.uuid],
        image,
        requested_host: host,
        requested_node: server.node,
        ignore_hosts: [],
        is_rebuild: true,
      });
    } catch (err) {
      if (err instanceof NoValidHost) {
        throw new ImageUnacceptable(image.id, `the server's host ${host} cannot run it`);
      }
      throw err;
    }
  }
}
