import { adminContext, describeError, type RequestContext } from '@nova/common';
import {
  InstanceNotFound,
  UnexpectedTaskState,
  type CellConductorClient,
  type WireBackup,
  type WireSnapshot,
  type WireUnshelve,
} from '@nova/compute-rpc';
import { PowerState, TaskState, VmState } from '@nova/compute-state';
import type { ImageBackend } from '@nova/images';
import { getLogger } from '@nova/logging';
import type { InstanceSpec, SnapshotImage, VirtDriver } from '@nova/cells/virt';
import { configDriveContents, type ConfigDrivePolicy } from './config-drive-contents';

const log = getLogger('compute.images');

/** The system metadata a shelved instance carries (Nova's names). */
const SHELVED_KEYS = ['shelved_at', 'shelved_image_id', 'shelved_host'] as const;

/** Images listed at most when rotating backups. */
const ROTATION_LIST_LIMIT = 1000;

/** The task states a snapshot moves through: taken, pending upload, uploading. */
interface SnapshotStates {
  readonly taken: string;
  readonly pending: string;
  readonly uploading: string;
}

const SNAPSHOT: SnapshotStates = {
  taken: TaskState.IMAGE_SNAPSHOT,
  pending: TaskState.IMAGE_PENDING_UPLOAD,
  uploading: TaskState.IMAGE_UPLOADING,
};
const BACKUP: SnapshotStates = { ...SNAPSHOT, taken: TaskState.IMAGE_BACKUP };
const SHELVE: SnapshotStates = {
  taken: TaskState.SHELVING,
  pending: TaskState.SHELVING_IMAGE_PENDING_UPLOAD,
  uploading: TaskState.SHELVING_IMAGE_UPLOADING,
};

export interface ImageActionsOptions {
  readonly host: string;
  /** `[DEFAULT] shelved_offload_time`: 0 offloads right after shelving. */
  readonly shelvedOffloadTime: number;
  /** When and how an unshelved guest gets its config drive again (none without it). */
  readonly configDrive?: ConfigDrivePolicy;
}

/** A context that carries the user's token for the image service (see WireSnapshot). */
function withToken(ctx: RequestContext, token: string | null): RequestContext {
  return token ? { ...ctx, authToken: token } : ctx;
}

function isGone(err: unknown): boolean {
  return err instanceof UnexpectedTaskState || err instanceof InstanceNotFound;
}

/**
 * A compute host's image work: snapshots (createImage), backups with their
 * rotation, shelving and offloading, and unshelving. The image itself was
 * created (queued) by the API; the host fills it through the image service
 * with the user's token, and on failure deletes it (no half image), clears
 * the task state, records the fault and ends the action event in Error.
 */
export class ImageActions {
  constructor(
    private readonly driver: VirtDriver,
    private readonly conductor: CellConductorClient,
    private readonly images: ImageBackend | null,
    private readonly options: ImageActionsOptions,
  ) {}

  private get host(): string {
    return this.options.host;
  }

  /** createImage: the API left the instance in image_snapshot_pending. */
  async snapshot(ctx: RequestContext, uuid: string, w: WireSnapshot): Promise<void> {
    const event = 'compute_snapshot_instance';
    const uctx = withToken(ctx, w.auth_token);
    await this.event(ctx, uuid, event, 'start');
    try {
      await this.conductor.instanceUpdate(ctx, uuid, [TaskState.IMAGE_SNAPSHOT_PENDING], {
        task_state: TaskState.IMAGE_SNAPSHOT,
        power_state: await this.driver.powerState(uuid),
      });
    } catch (err) {
      if (!isGone(err)) {
        throw err;
      }
      log.info({ uuid }, 'instance changed before its snapshot started (deleted?)');
      await this.dropImage(uctx, w.image_id);
      return;
    }
    await this.captureOrFail(ctx, uuid, w, SNAPSHOT, event);
  }

  /** createBackup: a snapshot, then only the newest `rotation` backups of its type stay. */
  async backup(ctx: RequestContext, uuid: string, w: WireBackup): Promise<void> {
    const event = 'compute_backup_instance';
    await this.event(ctx, uuid, event, 'start');
    if (!(await this.captureOrFail(ctx, uuid, w, BACKUP, event, { finish: false }))) {
      return;
    }
    try {
      await this.rotate(withToken(ctx, w.auth_token), uuid, w.backup_type, w.rotation);
    } catch (err) {
      const reason = describeError(err);
      log.warn({ uuid, err: reason }, 'backup rotation failed');
      await this.event(ctx, uuid, event, 'Error', reason);
      return;
    }
    await this.event(ctx, uuid, event, 'Success');
  }

  /**
   * shelve: power off, snapshot into the shelve image, SHELVED (the shelve
   * facts in system metadata); with `shelved_offload_time = 0` offloaded at once.
   */
  async shelve(ctx: RequestContext, uuid: string, w: WireSnapshot): Promise<void> {
    const event = 'compute_shelve_instance';
    const uctx = withToken(ctx, w.auth_token);
    await this.event(ctx, uuid, event, 'start');
    const wasRunning = (await this.driver.powerState(uuid)) === PowerState.RUNNING;
    const offload = this.options.shelvedOffloadTime === 0;
    try {
      await this.driver.powerOff(uuid);
      await this.capture(uctx, uuid, w, SHELVE);
      await this.conductor.setSystemMetadata(ctx, uuid, {
        shelved_at: new Date().toISOString(),
        shelved_image_id: w.image_id,
        shelved_host: this.host,
      });
      await this.conductor.instanceUpdate(ctx, uuid, [SHELVE.taken, SHELVE.uploading], {
        vm_state: VmState.SHELVED,
        task_state: offload ? TaskState.SHELVING_OFFLOADING : null,
        power_state: await this.driver.powerState(uuid),
      });
    } catch (err) {
      await this.failed(ctx, uuid, event, err, {
        imageId: w.image_id,
        uctx,
        revert: [SHELVE.taken, SHELVE.pending, SHELVE.uploading],
      });
      if (wasRunning) {
        // Back as it was: the guest runs again (the power sync would otherwise stop it).
        await this.driver.powerOn(uuid).catch(() => undefined);
        await this.conductor
          .instanceUpdate(ctx, uuid, [null], { power_state: await this.driver.powerState(uuid) })
          .catch(() => undefined);
      }
      return;
    }
    if (offload && !(await this.offloadOrFail(ctx, uuid, event))) {
      return;
    }
    await this.event(ctx, uuid, event, 'Success');
  }

  /** shelveOffload (the API left the instance SHELVED in shelving_offloading). */
  async shelveOffload(ctx: RequestContext, uuid: string): Promise<void> {
    const event = 'compute_shelve_offload_instance';
    await this.event(ctx, uuid, event, 'start');
    if (await this.offloadOrFail(ctx, uuid, event)) {
      await this.event(ctx, uuid, event, 'Success');
    }
  }

  /**
   * unshelve: a SHELVED instance is powered on again; a SHELVED_OFFLOADED one
   * (the conductor claimed this host for it) is spawned from its shelve image.
   * Then the shelve image and facts go. A failed spawn leaves it
   * SHELVED_OFFLOADED on no host, its claim released, with a fault.
   */
  async unshelve(ctx: RequestContext, uuid: string, w: WireUnshelve): Promise<void> {
    const event = 'compute_unshelve_instance';
    await this.event(ctx, uuid, event, 'start');
    const spawn = w.spawn;
    let configDrive: InstanceSpec['configDrive'];
    try {
      if (spawn === null) {
        await this.driver.powerOn(uuid);
      } else {
        await this.conductor.instanceUpdate(ctx, uuid, [TaskState.UNSHELVING], {
          task_state: TaskState.SPAWNING,
        });
        // The drive went with the offloaded guest: the new host builds it again.
        configDrive = this.options.configDrive
          ? configDriveContents({ ...spawn, instance_uuid: uuid }, this.options.configDrive)
          : undefined;
        await this.driver.spawn({
          uuid,
          name: spawn.instance_name,
          vcpus: spawn.flavor.vcpus,
          memoryMb: spawn.flavor.memory_mb,
          rootGb: spawn.flavor.root_gb,
          ephemeralGb: spawn.flavor.ephemeral_gb,
          image: {
            id: spawn.image.id,
            ...(spawn.image.name ? { name: spawn.image.name } : {}),
            properties: spawn.image.properties,
          },
          userData: spawn.user_data,
          keyData: spawn.key_data,
          networks: spawn.vifs.map((v) => ({ address: v.address, mac: v.mac })),
          ...(configDrive ? { configDrive } : {}),
        });
      }
      await this.conductor.instanceUpdate(
        ctx,
        uuid,
        [spawn === null ? TaskState.UNSHELVING : TaskState.SPAWNING],
        {
          vm_state: VmState.ACTIVE,
          task_state: null,
          power_state: await this.driver.powerState(uuid),
          ...(spawn === null ? {} : { launched_at: new Date().toISOString() }),
          ...(configDrive ? { config_drive: 'True' } : {}),
        },
      );
    } catch (err) {
      if (isGone(err)) {
        log.info({ uuid }, 'instance changed while it was unshelved (deleted?)');
        if (spawn !== null) {
          await this.driver.destroy(uuid).catch(() => undefined);
        }
        return;
      }
      if (spawn !== null) {
        await this.driver.destroy(uuid).catch(() => undefined);
        await this.conductor.releaseAllocation(ctx, uuid).catch(() => undefined);
      }
      await this.failed(ctx, uuid, event, err, {
        revert: [TaskState.UNSHELVING, TaskState.SPAWNING],
        ...(spawn === null ? {} : { clearHost: true }),
      });
      return;
    }
    if (w.shelved_image_id) {
      await this.dropImage(withToken(ctx, w.auth_token), w.shelved_image_id, { evenActive: true });
    }
    await this.conductor
      .setSystemMetadata(ctx, uuid, Object.fromEntries(SHELVED_KEYS.map((k) => [k, null])))
      .catch((err: unknown) =>
        log.warn({ uuid, err: describeError(err) }, 'shelve facts not cleared'),
      );
    await this.event(ctx, uuid, event, 'Success');
  }

  /**
   * Nova's _poll_shelved_instances: SHELVED instances of this host shelved at
   * least `shelved_offload_time` seconds ago are offloaded.
   */
  async offloadDue(): Promise<void> {
    const ctx = adminContext();
    const due = Date.now() - this.options.shelvedOffloadTime * 1000;
    for (const instance of await this.conductor.instancesOnHost(ctx, this.host)) {
      if (
        instance.vm_state !== VmState.SHELVED ||
        instance.task_state !== null ||
        !instance.shelved_at ||
        Date.parse(instance.shelved_at) > due
      ) {
        continue;
      }
      try {
        await this.conductor.instanceUpdate(ctx, instance.uuid, [null], {
          task_state: TaskState.SHELVING_OFFLOADING,
        });
      } catch {
        continue; // unshelved or deleted meanwhile
      }
      log.info({ uuid: instance.uuid }, 'offloading a shelved instance');
      await this.offloadOrFail(ctx, instance.uuid, 'compute_shelve_offload_instance');
    }
  }

  /**
   * Take the snapshot and upload it; on failure undo (see failed). True when
   * the image is active and the task state idle again (unless `finish` is
   * false, for the backup's rotation: the event is then the caller's to end).
   */
  private async captureOrFail(
    ctx: RequestContext,
    uuid: string,
    w: WireSnapshot,
    states: SnapshotStates,
    event: string,
    { finish = true }: { finish?: boolean } = {},
  ): Promise<boolean> {
    const uctx = withToken(ctx, w.auth_token);
    try {
      await this.capture(uctx, uuid, w, states);
      await this.conductor.instanceUpdate(ctx, uuid, [states.uploading], { task_state: null });
    } catch (err) {
      await this.failed(ctx, uuid, event, err, {
        imageId: w.image_id,
        uctx,
        revert: [states.taken, states.pending, states.uploading],
      });
      return false;
    }
    if (finish) {
      await this.event(ctx, uuid, event, 'Success');
    }
    return true;
  }

  /** The driver's snapshot, then pending upload, uploading, and the upload itself. */
  private async capture(
    uctx: RequestContext,
    uuid: string,
    w: WireSnapshot,
    states: SnapshotStates,
  ): Promise<void> {
    const images = this.imageService();
    const snapshot: SnapshotImage = await this.driver.snapshot(uuid, w.root_gb);
    try {
      await this.conductor.instanceUpdate(uctx, uuid, [states.taken], {
        task_state: states.pending,
      });
      await this.conductor.instanceUpdate(uctx, uuid, [states.pending], {
        task_state: states.uploading,
      });
      const image = await images.upload(uctx, w.image_id, snapshot);
      log.info(
        { uuid, image: image.id, size: image.size, status: image.status },
        'snapshot uploaded',
      );
    } finally {
      await snapshot.dispose().catch(() => undefined);
    }
  }

  /**
   * Offload: the guest goes, the placement allocation is released (before the
   * state changes, as Nova: pollers may schedule onto the freed host), then
   * SHELVED_OFFLOADED on no host. A failure leaves it SHELVED with its guest.
   */
  private async offloadOrFail(ctx: RequestContext, uuid: string, event: string): Promise<boolean> {
    try {
      await this.driver.powerOff(uuid).catch(() => undefined);
      const power = await this.driver.powerState(uuid);
      await this.driver.destroy(uuid);
      await this.conductor.releaseAllocation(ctx, uuid);
      await this.conductor.instanceUpdate(
        ctx,
        uuid,
        [TaskState.SHELVING, TaskState.SHELVING_OFFLOADING],
        {
          vm_state: VmState.SHELVED_OFFLOADED,
          task_state: null,
          power_state: power === PowerState.NOSTATE ? PowerState.SHUTDOWN : power,
          host: null,
          node: null,
        },
      );
      return true;
    } catch (err) {
      if (isGone(err)) {
        log.info({ uuid }, 'instance changed while it was offloaded (deleted?)');
        return false;
      }
      await this.failed(ctx, uuid, event, err, { revert: [TaskState.SHELVING_OFFLOADING] });
      return false;
    }
  }

  /**
   * Undo a failed image action: the image is deleted unless it became active
   * (no half image), the task state is cleared (and the host, for a failed
   * unshelve), a fault is recorded and the event ends in Error. An instance
   * deleted meanwhile is left to its delete.
   */
  private async failed(
    ctx: RequestContext,
    uuid: string,
    event: string,
    err: unknown,
    undo: {
      imageId?: string;
      uctx?: RequestContext;
      revert: readonly string[];
      clearHost?: boolean;
    },
  ): Promise<void> {
    const reason = describeError(err);
    log.warn({ uuid, event, err: reason }, 'image action failed');
    if (undo.imageId) {
      await this.dropImage(undo.uctx ?? ctx, undo.imageId);
    }
    if (isGone(err)) {
      return;
    }
    await this.conductor
      .instanceUpdate(ctx, uuid, undo.revert, {
        task_state: null,
        ...(undo.clearHost ? { host: null, node: null } : {}),
      })
      .catch((e: unknown) => log.info({ uuid, err: describeError(e) }, 'task state not reverted'));
    await this.conductor
      .addFault(ctx, uuid, { code: 500, message: reason, details: null, host: this.host })
      .catch(() => undefined);
    await this.event(ctx, uuid, event, 'Error', reason);
  }

  /** Delete an image (unless it is active, and `evenActive` is not set); never throws. */
  private async dropImage(
    uctx: RequestContext,
    id: string,
    { evenActive = false }: { evenActive?: boolean } = {},
  ): Promise<void> {
    if (!this.images) {
      return;
    }
    try {
      if (!evenActive && (await this.images.get(uctx, id)).status === 'active') {
        return;
      }
      await this.images.delete(uctx, id);
      log.info({ image: id }, 'image deleted');
    } catch (err) {
      log.warn({ image: id, err: describeError(err) }, 'image not deleted');
    }
  }

  /** Nova's _rotate_backups: newest first, those past `rotation` are deleted. */
  private async rotate(
    uctx: RequestContext,
    uuid: string,
    backupType: string,
    rotation: number,
  ): Promise<void> {
    const images = this.imageService();
    const backups = await images.list(uctx, {
      limit: ROTATION_LIST_LIMIT,
      filters: { instanceUuid: uuid, imageType: 'backup', backupType },
    });
    for (const image of backups.slice(rotation)) {
      log.info({ uuid, image: image.id, backupType, rotation }, 'rotating out an old backup');
      await images.delete(uctx, image.id);
    }
  }

  private imageService(): ImageBackend {
    if (!this.images) {
      throw new Error('this compute host has no image service');
    }
    return this.images;
  }

  private event(
    ctx: RequestContext,
    uuid: string,
    event: string,
    result: 'start' | 'Success' | 'Error',
    details?: string,
  ): Promise<void> {
    return this.conductor.actionEvent(ctx, uuid, event, this.host, result, details);
  }
}
