import { type CellRouter, type CellContext } from '@nova/cell-router';
import { cellDb, type CellRepositories } from '@nova/cells/db';
import { describeError, type RequestContext } from '@nova/common';
import {
  ComputeClient,
  InstanceNotFound,
  NoValidHost,
  UnexpectedTaskState,
  type SchedulerClient,
  type Selection,
  type WireImage,
  type WireUnshelve,
} from '@nova/compute-rpc';
import { TaskState, VmState } from '@nova/compute-state';
import type { NovaConfig } from '@nova/config';
import { ImageNotFound, type ImageBackend } from '@nova/images';
import { getLogger } from '@nova/logging';
import type { NeutronPorts } from '@nova/network';
import type { PlacementService } from '@nova/placement';
import { flatVifs, wireGuestOf, type BuildRequests, type ServerRecord } from '@nova/servers';

const log = getLogger('conductor.super');

/** What the API asks: the instance, the user's token for the image service, 2.91's host. */
export interface UnshelveRequest {
  readonly instance_uuid: string;
  readonly auth_token: string | null;
  readonly host: string | null;
}

/**
 * Nova's conductor unshelve of a SHELVED_OFFLOADED instance: read its shelve
 * image (gone: ERROR with a fault), ask the scheduler again with its request
 * spec (zone as the API left it, the requested host of 2.91), which claims the
 * resources; then put the instance on the chosen host and cast the spawn to
 * it. No host: back to SHELVED_OFFLOADED (task state cleared) with a fault,
 * nothing claimed.
 */
export class Unshelver {
  constructor(
    private readonly config: NovaConfig,
    private readonly router: CellRouter,
    private readonly scheduler: SchedulerClient,
    private readonly placement: PlacementService,
    private readonly builds: BuildRequests,
    private readonly images: ImageBackend,
    /** Neutron mode: the ports follow the server to its new host. */
    private readonly ports: NeutronPorts | null = null,
  ) {}

  async unshelve(ctx: RequestContext, request: UnshelveRequest): Promise<void> {
    const uuid = request.instance_uuid;
    const location = await this.router.lookupInstance(uuid);
    if (!location?.cell) {
      log.warn({ uuid }, 'unshelve of an instance in no cell: ignored');
      return;
    }
    const cctx = this.router.targetCell(ctx, location.cell);
    const db = await cellDb(cctx);
    const server = await db.servers.get(uuid);
    if (!server || server.task_state !== TaskState.UNSHELVING) {
      log.info({ uuid }, 'instance changed before its unshelve was scheduled (deleted?)');
      return;
    }
    const event = (name: string, result: 'start' | 'Success' | 'Error', details?: string) =>
      db.writer.actionEvent(
        ctx.requestId,
        uuid,
        name,
        this.config.DEFAULT.host,
        result,
        details ?? null,
      );
    const imageId =
      (await db.servers.systemMetadata(uuid, ['shelved_image_id']))['shelved_image_id'] ?? null;
    await event('get_image_info', 'start');
    let image: WireImage;
    try {
      image = await this.image(ctx, request.auth_token, imageId);
    } catch (err) {
      const reason = `Unshelve attempted but the image ${imageId ?? ''} cannot be found.`;
      log.error({ uuid, err: describeError(err) }, reason);
      await event('get_image_info', 'Error', describeError(err));
      await db.writer
        .compareAndSwap(uuid, [TaskState.UNSHELVING], { vm_state: VmState.ERROR, task_state: null })
        .catch(() => undefined);
      await db.writer.addFault(uuid, 404, reason, describeError(err), null);
      return;
    }
    await event('get_image_info', 'Success');
    await event('schedule_instances', 'start');
    let selection: Selection;
    try {
      selection = await this.schedule(ctx, server, request.host, location.cell.uuid);
    } catch (err) {
      const reason = describeError(err);
      log.warn({ uuid, err: reason }, 'no valid host found for unshelve');
      await event('schedule_instances', 'Error', reason);
      await db.writer
        .compareAndSwap(uuid, [TaskState.UNSHELVING], { task_state: null })
        .catch(() => undefined);
      const message = err instanceof NoValidHost ? err.message : `Unshelve failed: ${reason}`;
      await db.writer.addFault(uuid, 500, message, reason, null);
      return;
    }
    await event('schedule_instances', 'Success');
    if (!(await this.place(db, uuid, selection))) {
      return;
    }
    if (this.ports) {
      await this.ports.bind(ctx, uuid, selection.host);
    }
    await this.cast(ctx, cctx, db, server, selection, image, request.auth_token, imageId);
  }

  /** The shelve image with the user's token; ImageNotFound without one recorded. */
  private async image(
    ctx: RequestContext,
    authToken: string | null,
    imageId: string | null,
  ): Promise<WireImage> {
    if (!imageId) {
      throw new ImageNotFound('');
    }
    const image = await this.images.get(authToken ? { ...ctx, authToken } : ctx, imageId);
    return {
      id: image.id,
      name: image.name,
      min_disk: image.min_disk,
      min_ram: image.min_ram,
      properties: image.properties,
    };
  }

  /**
   * The scheduler with the server's request spec, as Nova resets it for a
   * move: no forced destination but 2.91's host, only this instance, only
   * hosts of its cell (the spawn is cast on that cell's queue; Nova's
   * _restrict_request_spec_to_cell). The scheduler claims in placement;
   * alternates are not used (Nova neither).
   */
  private async schedule(
    ctx: RequestContext,
    server: ServerRecord,
    host: string | null,
    cellUuid: string,
  ): Promise<Selection> {
    const spec = await this.builds.spec(server.uuid);
    if (!spec) {
      throw new NoValidHost(`No valid host was found. The server has no request spec.`);
    }
    const destinations = await this.scheduler.selectDestinations(ctx, {
      ...spec,
      instance_uuids: [server.uuid],
      requested_host: host,
      requested_node: null,
      requested_cell: cellUuid,
      ignore_hosts: [],
      force_hosts: [],
      is_move: true,
    });
    const selected = destinations[0]?.[0];
    if (!selected) {
      throw new NoValidHost('No valid host was found. ');
    }
    return selected;
  }

  /** The instance on its new host; false (claim released) when it changed meanwhile. */
  private async place(db: CellRepositories, uuid: string, selection: Selection): Promise<boolean> {
    try {
      await db.writer.compareAndSwap(uuid, [TaskState.UNSHELVING], {
        host: selection.host,
        node: selection.nodename,
        availability_zone: this.zoneOf(selection),
      });
      return true;
    } catch (err) {
      if (!(err instanceof UnexpectedTaskState || err instanceof InstanceNotFound)) {
        throw err;
      }
      log.info({ uuid }, 'instance changed while its unshelve was scheduled: claim released');
      await this.placement.release(uuid);
      return false;
    }
  }

  /** The zone the instance lands in: its new host's. */
  private zoneOf(selection: Selection): string {
    return selection.availability_zone ?? this.config.DEFAULT.default_availability_zone;
  }

  private async cast(
    ctx: RequestContext,
    cctx: CellContext,
    db: CellRepositories,
    server: ServerRecord,
    selection: Selection,
    image: WireImage,
    authToken: string | null,
    imageId: string | null,
  ): Promise<void> {
    const { flavor } = server;
    const nics = await db.servers.networkInfo(server.uuid);
    const unshelve: WireUnshelve = {
      auth_token: authToken,
      shelved_image_id: imageId,
      spawn: {
        instance_name: server.instance_name ?? server.uuid,
        flavor,
        image,
        user_data: server.user_data,
        key_data: server.key_data,
        vifs: flatVifs(nics, this.config),
        node: selection.nodename,
        guest: { ...wireGuestOf(server, null), availability_zone: this.zoneOf(selection) },
      },
    };
    const compute = new ComputeClient(
      await cctx.cell.mq(),
      this.config.DEFAULT.rpc_response_timeout * 1000,
    );
    await compute.operate(ctx, selection.host, 'unshelve_instance', server.uuid, { unshelve });
  }
}
