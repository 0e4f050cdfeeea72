import { Inject, Injectable } from '@nestjs/common';
import { cellDb } from '@nova/cells/db';
import { Conflict, describeError, type RequestContext } from '@nova/common';
import { ComputeClient, SuperConductorClient, type WireSnapshot } from '@nova/compute-rpc';
import { checkActionAllowed, TaskState, VmState } from '@nova/compute-state';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { ImageService, snapshotImage, type Image } from '@nova/images';
import { getLogger } from '@nova/logging';
import {
  BuildRequests,
  type Caller,
  type ImageActionRequest,
  type ServerRecord,
  type UnshelveOptions,
} from '@nova/servers';
import { ApiLevelTransport } from './api-transport';
import { ServerLookup } from './server-lookup';
import { InstanceNotReady, swapOr409 } from './server-operations';

const log = getLogger('api.servers');

/** Nova's 409 for a zone or host asked of a server that is not offloaded. */
export class UnshelveInstanceInvalidState extends Conflict {
  constructor(uuid: string, vmState: string) {
    super(
      `Specifying an availability zone when unshelving server ${uuid} with status "${vmState}" is not supported. The server status must be SHELVED_OFFLOADED.`,
    );
  }
}

/** Nova's 409 for a host outside the zone asked for (or the one the server is pinned to). */
export class UnshelveHostNotInAZ extends Conflict {
  constructor(host: string, zone: string) {
    super(`Host "${host}" is not in the availability zone "${zone}".`);
  }
}

/**
 * The image actions of the API: snapshots and backups (createImage,
 * createBackup), shelve, shelveOffload and unshelve. The image record is
 * made here with the caller's token (queued), then the task state is swapped
 * (a lost race deletes the record again: 409, nothing left behind), the
 * action recorded and the host told, with the token as an argument (see
 * WireSnapshot).
 */
@Injectable()
export class ServerImages {
  constructor(
    private readonly lookup: ServerLookup,
    private readonly builds: BuildRequests,
    private readonly images: ImageService,
    private readonly apiMq: ApiLevelTransport,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  async createImage(
    ctx: RequestContext,
    server: ServerRecord,
    request: ImageActionRequest,
    caller: Caller,
  ): Promise<string> {
    const action = request.kind === 'snapshot' ? 'createImage' : 'createBackup';
    checkActionAllowed(action, server, caller.isAdmin);
    const host = this.hostOf(server);
    const image = await this.imageRecord(ctx, server, request.name, request.kind, {
      ...request.metadata,
      ...(request.kind === 'backup' ? { backup_type: request.backupType } : {}),
    });
    const task =
      request.kind === 'snapshot' ? TaskState.IMAGE_SNAPSHOT_PENDING : TaskState.IMAGE_BACKUP;
    await this.swapOrDropImage(ctx, server, action, image, { task_state: task });
    const snapshot = this.wireSnapshot(ctx, server, image);
    await this.compute(ctx, server, action, (compute) =>
      request.kind === 'snapshot'
        ? compute.operate(ctx, host, 'snapshot_instance', server.uuid, { snapshot })
        : compute.operate(ctx, host, 'backup_instance', server.uuid, {
            backup: { ...snapshot, backup_type: request.backupType, rotation: request.rotation },
          }),
    );
    return image.id;
  }

  async shelve(ctx: RequestContext, server: ServerRecord, caller: Caller): Promise<void> {
    checkActionAllowed('shelve', server, caller.isAdmin);
    const host = this.hostOf(server);
    const name = `${server.display_name ?? ''}-shelved`;
    const image = await this.imageRecord(ctx, server, name, 'snapshot', {});
    await this.swapOrDropImage(ctx, server, 'shelve', image, { task_state: TaskState.SHELVING });
    const snapshot = this.wireSnapshot(ctx, server, image);
    await this.compute(ctx, server, 'shelve', (compute) =>
      compute.operate(ctx, host, 'shelve_instance', server.uuid, { snapshot }),
    );
  }

  async shelveOffload(ctx: RequestContext, server: ServerRecord, caller: Caller): Promise<void> {
    checkActionAllowed('shelveOffload', server, caller.isAdmin);
    const host = this.hostOf(server);
    const db = await cellDb(await this.lookup.cellOf(ctx, server));
    await swapOr409(server, 'shelveOffload', () =>
      db.writer.compareAndSwap(server.uuid, [null], {
        task_state: TaskState.SHELVING_OFFLOADING,
      }),
    );
    await this.compute(ctx, server, 'shelveOffload', (compute) =>
      compute.operate(ctx, host, 'shelve_offload_instance', server.uuid),
    );
  }

  /**
   * A SHELVED server is powered on again by its host; a SHELVED_OFFLOADED one
   * goes to the super conductor, which schedules it (the zone asked for is kept
   * in its request spec, as Nova pins it; null unpins) and has it spawned.
   */
  async unshelve(
    ctx: RequestContext,
    server: ServerRecord,
    options: UnshelveOptions,
    caller: Caller,
  ): Promise<void> {
    checkActionAllowed('unshelve', server, caller.isAdmin);
    const offloaded = server.vm_state === VmState.SHELVED_OFFLOADED;
    const zoneAsked = options.availabilityZone !== undefined;
    if ((zoneAsked || options.host) && !offloaded) {
      throw new UnshelveInstanceInvalidState(server.uuid, server.vm_state);
    }
    const spec = offloaded ? await this.builds.spec(server.uuid) : null;
    if (options.host) {
      const zone = zoneAsked ? options.availabilityZone : (spec?.availability_zone ?? null);
      if (zone && options.host.zone.split(',').every((z) => z !== zone)) {
        throw new UnshelveHostNotInAZ(options.host.name, zone);
      }
    }
    const host = offloaded ? null : this.hostOf(server); // a SHELVED server is still on its host
    const cctx = await this.lookup.cellOf(ctx, server);
    const db = await cellDb(cctx);
    await swapOr409(server, 'unshelve', () =>
      db.writer.compareAndSwap(server.uuid, [null], { task_state: TaskState.UNSHELVING }),
    );
    await db.writer.startAction(ctx, server.uuid, 'unshelve');
    if (offloaded) {
      if (zoneAsked) {
        await this.builds.updateSpec(server.uuid, {
          availability_zone: options.availabilityZone ?? null,
        });
      }
      await new SuperConductorClient(await this.apiMq.get()).unshelve(ctx, server.uuid, {
        authToken: ctx.authToken ?? null,
        host: options.host?.name ?? null,
      });
      return;
    }
    const imageId = (await db.servers.systemMetadata(server.uuid, ['shelved_image_id']))[
      'shelved_image_id'
    ];
    const compute = new ComputeClient(
      await cctx.cell.mq(),
      this.config.DEFAULT.rpc_response_timeout * 1000,
    );
    await compute.operate(ctx, host ?? '', 'unshelve_instance', server.uuid, {
      unshelve: {
        auth_token: ctx.authToken ?? null,
        shelved_image_id: imageId ?? null,
        spawn: null,
      },
    });
  }

  /** The shelve image of a SHELVED(_OFFLOADED) server (read before a delete drops its records). */
  async shelveImageOf(ctx: RequestContext, server: ServerRecord): Promise<string | null> {
    if (
      !server.cell_uuid ||
      (server.vm_state !== VmState.SHELVED && server.vm_state !== VmState.SHELVED_OFFLOADED)
    ) {
      return null;
    }
    const db = await cellDb(await this.lookup.cellOf(ctx, server));
    const meta = await db.servers.systemMetadata(server.uuid, ['shelved_image_id']);
    return meta['shelved_image_id'] ?? null;
  }

  /** A deleted shelved server's image goes too (as Nova's delete does); gone already is fine. */
  async deleteShelveImage(ctx: RequestContext, uuid: string, imageId: string): Promise<void> {
    await this.images.delete(ctx, imageId).then(
      () => log.info({ uuid, image: imageId }, 'shelve image deleted with its server'),
      (err: unknown) =>
        log.warn({ uuid, image: imageId, err: describeError(err) }, 'shelve image kept'),
    );
  }

  /** The snapshot's image record, as Nova's compute API makes it (see snapshotImage). */
  private async imageRecord(
    ctx: RequestContext,
    server: ServerRecord,
    name: string,
    imageType: 'snapshot' | 'backup',
    extraProperties: Readonly<Record<string, string>>,
  ): Promise<Image> {
    const spec = await this.builds.spec(server.uuid);
    return this.images.create(
      ctx,
      snapshotImage(
        ctx,
        {
          uuid: server.uuid,
          projectId: server.project_id,
          imageRef: server.image_ref,
          rootGb: server.flavor.root_gb,
          image: spec?.image ?? null,
        },
        {
          name,
          imageType,
          extraProperties,
          nonInheritable: this.config.DEFAULT.non_inheritable_image_properties,
        },
      ),
    );
  }

  /** The task state swapped from idle, or the image record deleted again and 409. */
  private async swapOrDropImage(
    ctx: RequestContext,
    server: ServerRecord,
    action: string,
    image: Image,
    changes: { task_state: string },
  ): Promise<void> {
    const db = await cellDb(await this.lookup.cellOf(ctx, server));
    try {
      await swapOr409(server, action, () => db.writer.compareAndSwap(server.uuid, [null], changes));
    } catch (err) {
      await this.images.delete(ctx, image.id).catch(() => undefined);
      throw err;
    }
  }

  /** Record the action and cast to the host. */
  private async compute(
    ctx: RequestContext,
    server: ServerRecord,
    action: string,
    cast: (compute: ComputeClient) => Promise<void>,
  ): Promise<void> {
    const cctx = await this.lookup.cellOf(ctx, server);
    await (await cellDb(cctx)).writer.startAction(ctx, server.uuid, action);
    await cast(
      new ComputeClient(await cctx.cell.mq(), this.config.DEFAULT.rpc_response_timeout * 1000),
    );
  }

  private wireSnapshot(ctx: RequestContext, server: ServerRecord, image: Image): WireSnapshot {
    return {
      image_id: image.id,
      auth_token: ctx.authToken ?? null,
      root_gb: server.flavor.root_gb,
    };
  }

  private hostOf(server: ServerRecord): string {
    if (!server.host || !server.cell_uuid) {
      throw new InstanceNotReady(server.uuid);
    }
    return server.host;
  }
}
