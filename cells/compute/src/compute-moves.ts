import { adminContext, describeError, type RequestContext } from '@nova/common';
import {
  InstanceNotFound,
  MigrationStateChanged,
  UnexpectedTaskState,
  type CellConductorClient,
  type ComputeClient,
  type MoveUpdate,
  type WireFlavor,
  type WireMove,
} from '@nova/compute-rpc';
import { PowerState, TaskState, VmState } from '@nova/compute-state';
import { getLogger } from '@nova/logging';
import { MigrationAborted, type InstanceSpec, type VirtDriver } from '@nova/cells/virt';
import { configDriveContents, type ConfigDrivePolicy } from './config-drive-contents';
import { crossCellSteps } from './cross-cell-steps';
import { guestSpec, powersOn } from './move-guest';

export { guestSpec } from './move-guest';

const log = getLogger('compute.moves');

/** The instance or its migration moved on without us (deleted, aborted): the step is moot. */
function isMoot(err: unknown): boolean {
  return (
    err instanceof UnexpectedTaskState ||
    err instanceof InstanceNotFound ||
    err instanceof MigrationStateChanged
  );
}

/** The vm_state a move that is over (or undone) leaves the server in. */
function settledState(move: WireMove): string {
  return move.old_vm_state === VmState.STOPPED ? VmState.STOPPED : VmState.ACTIVE;
}

/**
 * One compute host's part in moves: the source and destination steps of
 * resizes and cold migrations (Nova's resize_instance, finish_resize,
 * confirm_resize, revert_resize, finish_revert_resize), of live migrations,
 * and the destination of an evacuation. Each step swaps the task state (and
 * the migration's status) through the cell conductor before and after the
 * driver's work; a failure puts the guest back where it was and reports the
 * rollback, which moves the allocation back to the instance.
 */
export class ComputeMoves {
  constructor(
    private readonly host: string,
    private readonly driver: VirtDriver,
    private readonly conductor: CellConductorClient,
    private readonly computes: ComputeClient,
    /** When and how guests get config drives (none without it). */
    private readonly configDrive: ConfigDrivePolicy | null = null,
  ) {}

  /**
   * The guest as the destination creates it, with its config drive built
   * again when it has one (as Nova's finish_migration and rebuild do): the
   * flavor it runs with, and only an evacuation's new password.
   */
  arriving(move: WireMove, flavor: WireFlavor, adminPassword: string | null = null): InstanceSpec {
    const spec = guestSpec(move, flavor);
    const g = move.guest;
    const files =
      this.configDrive && g.facts
        ? configDriveContents(
            {
              instance_uuid: g.instance_uuid,
              instance_name: g.instance_name,
              image: g.image,
              user_data: g.user_data,
              key_data: g.key_data,
              vifs: g.vifs,
              guest: { ...g.facts, admin_password: adminPassword },
              flavor,
            },
            this.configDrive,
          )
        : undefined;
    return files ? { ...spec, configDrive: files } : spec;
  }

  /** The RPC handlers of these steps. */
  methods() {
    type WithMove = { move: WireMove };
    type Control = { instance_uuid: string; migration_uuid: string };
    return {
      resize_instance: (ctx: RequestContext, a: WithMove) => this.resizeInstance(ctx, a.move),
      finish_resize: (ctx: RequestContext, a: WithMove) => this.finishResize(ctx, a.move),
      confirm_resize: (ctx: RequestContext, a: WithMove) => this.confirmResize(ctx, a.move),
      revert_resize: (ctx: RequestContext, a: WithMove) => this.revertResize(ctx, a.move),
      finish_revert_resize: (ctx: RequestContext, a: WithMove & { failure?: string }) =>
        this.finishRevertResize(ctx, a.move, a.failure ?? null),
      live_migration: (ctx: RequestContext, a: WithMove) => this.liveMigration(ctx, a.move),
      pre_live_migration: (_ctx: RequestContext, a: WithMove) =>
        this.driver.preLiveMigration(guestSpec(a.move, a.move.old_flavor)),
      post_live_migration_at_destination: (_ctx: RequestContext, a: WithMove) =>
        this.driver.postLiveMigrationAtDestination(
          this.arriving(a.move, a.move.old_flavor),
          (a.move.power_state ?? PowerState.RUNNING) as PowerState,
        ),
      rollback_live_migration_at_destination: (_ctx: RequestContext, a: WithMove) =>
        this.driver.rollbackLiveMigrationAtDestination(a.move.guest.instance_uuid),
      live_migration_force_complete: (ctx: RequestContext, a: Control) =>
        this.control(ctx, a.instance_uuid, 'force_complete'),
      live_migration_abort: (ctx: RequestContext, a: Control) =>
        this.control(ctx, a.instance_uuid, 'abort'),
      evacuate_instance: (ctx: RequestContext, a: WithMove) => this.evacuate(ctx, a.move),
      cleanup_move_source: (_ctx: RequestContext, a: { instance_uuid: string }) =>
        this.driver.confirmMigration(a.instance_uuid),
      ...crossCellSteps(this.driver, (move, flavor) => this.arriving(move, flavor)),
    };
  }

  /** Cold move, source: power off, set the disks aside, hand over to the destination. */
  async resizeInstance(ctx: RequestContext, move: WireMove): Promise<void> {
    const uuid = move.guest.instance_uuid;
    const m = move.migration;
    const event = 'compute_resize_instance';
    // The event and the first swap are independent: one round trip, not two.
    const [, started] = await Promise.all([
      this.event(ctx, uuid, event, 'start'),
      this.step(ctx, {
        instance_uuid: uuid,
        expected_task_state: [TaskState.RESIZE_PREP],
        instance: { task_state: TaskState.RESIZE_MIGRATING },
        migration: { uuid: m.uuid, expected_status: ['pre-migrating'], status: 'migrating' },
        host: this.host,
      }),
    ]);
    if (!started) {
      return;
    }
    try {
      await this.driver.migrateDiskAndPowerOff(
        guestSpec(move, move.old_flavor),
        guestSpec(move, move.new_flavor),
      );
    } catch (err) {
      // Nova's InstanceFaultRollback: the guest stays here as it was, the move is undone.
      const reason = describeError(err);
      log.warn({ uuid, err: reason }, 'cold migration failed on the source');
      await this.event(ctx, uuid, event, 'Error', reason);
      if (powersOn(move) && (await this.driver.powerState(uuid)) !== PowerState.RUNNING) {
        await this.driver.powerOn(uuid).catch(() => undefined);
      }
      await this.report(ctx, {
        instance_uuid: uuid,
        expected_task_state: [TaskState.RESIZE_MIGRATING],
        instance: {
          vm_state: move.old_vm_state,
          task_state: null,
          power_state: await this.driver.powerState(uuid),
          clear_move_flavors: true,
        },
        migration: { uuid: m.uuid, expected_status: ['migrating'], status: 'error' },
        allocations: 'revert',
        fault: { message: reason, details: null },
        host: this.host,
      });
      return;
    }
    if (
      !(await this.step(ctx, {
        instance_uuid: uuid,
        expected_task_state: [TaskState.RESIZE_MIGRATING],
        instance: { task_state: TaskState.RESIZE_MIGRATED, power_state: PowerState.SHUTDOWN },
        migration: { uuid: m.uuid, expected_status: ['migrating'], status: 'post-migrating' },
        host: this.host,
      }))
    ) {
      await this.driver.confirmMigration(uuid); // deleted meanwhile: nothing to go back to
      return;
    }
    await Promise.all([
      this.event(ctx, uuid, event, 'Success'),
      this.computes.move(ctx, m.dest_compute ?? this.host, 'finish_resize', move),
    ]);
  }

  /** Cold move, destination: the guest with the new flavor; VERIFY_RESIZE. */
  async finishResize(ctx: RequestContext, move: WireMove): Promise<void> {
    const uuid = move.guest.instance_uuid;
    const m = move.migration;
    const event = 'compute_finish_resize';
    // The event and the first swap are independent: one round trip, not two.
    const [, started] = await Promise.all([
      this.event(ctx, uuid, event, 'start'),
      this.step(ctx, {
        instance_uuid: uuid,
        expected_task_state: [TaskState.RESIZE_MIGRATED],
        instance: { task_state: TaskState.RESIZE_FINISH },
        host: this.host,
      }),
    ]);
    if (!started) {
      return;
    }
    try {
      await this.driver.finishMigration(this.arriving(move, move.new_flavor), powersOn(move));
    } catch (err) {
      const reason = describeError(err);
      log.warn({ uuid, err: reason }, 'cold migration failed on the destination: rolling back');
      await this.event(ctx, uuid, event, 'Error', reason);
      await this.driver.destroy(uuid).catch(() => undefined);
      // The source still has the guest set aside: it takes it back.
      if (
        await this.step(ctx, {
          instance_uuid: uuid,
          expected_task_state: [TaskState.RESIZE_FINISH],
          instance: { task_state: TaskState.RESIZE_REVERTING },
          host: this.host,
        })
      ) {
        await this.computes.move(ctx, m.source_compute, 'finish_revert_resize', move, {
          failure: reason,
        });
      }
      return;
    }
    const done = await this.step(ctx, {
      instance_uuid: uuid,
      expected_task_state: [TaskState.RESIZE_FINISH],
      instance: {
        vm_state: VmState.RESIZED,
        task_state: null,
        host: this.host,
        node: m.dest_node ?? this.host,
        flavor: 'new',
        power_state: await this.driver.powerState(uuid),
        launched_at: new Date().toISOString(),
      },
      migration: { uuid: m.uuid, expected_status: ['post-migrating'], status: 'finished' },
      host: this.host,
    });
    if (!done) {
      await this.driver.destroy(uuid).catch(() => undefined);
      return;
    }
    await this.event(ctx, uuid, event, 'Success');
  }

  /** Confirmed, on the source: the set-aside guest goes, the migration's allocation with it. */
  async confirmResize(ctx: RequestContext, move: WireMove): Promise<void> {
    const uuid = move.guest.instance_uuid;
    const event = 'compute_confirm_resize';
    await this.event(ctx, uuid, event, 'start');
    try {
      await this.driver.confirmMigration(uuid);
    } catch (err) {
      // Nothing depends on the old copy any more: note it, and finish the confirm.
      log.warn({ uuid, err: describeError(err) }, 'could not drop the source copy');
    }
    const done = await this.step(ctx, {
      instance_uuid: uuid,
      expected_task_state: [TaskState.RESIZE_CONFIRMING],
      instance: { vm_state: settledState(move), task_state: null, clear_move_flavors: true },
      migration: {
        uuid: move.migration.uuid,
        expected_status: ['confirming'],
        status: 'confirmed',
      },
      allocations: 'drop',
      host: this.host,
    });
    if (done) {
      await this.event(ctx, uuid, event, 'Success');
    }
  }

  /** Reverted, on the destination: its guest goes, the source takes over. */
  async revertResize(ctx: RequestContext, move: WireMove): Promise<void> {
    const uuid = move.guest.instance_uuid;
    const event = 'compute_revert_resize';
    await this.event(ctx, uuid, event, 'start');
    await this.driver.destroy(uuid);
    await this.event(ctx, uuid, event, 'Success');
    await this.computes.move(ctx, move.migration.source_compute, 'finish_revert_resize', move);
  }

  /**
   * The source takes the set-aside guest back with the old flavor: a revert,
   * or the rollback of a move that failed on the destination (`failure`).
   */
  async finishRevertResize(
    ctx: RequestContext,
    move: WireMove,
    failure: string | null,
  ): Promise<void> {
    const uuid = move.guest.instance_uuid;
    const m = move.migration;
    const event = 'compute_finish_revert_resize';
    await this.event(ctx, uuid, event, 'start');
    let broken: string | null = null;
    try {
      await this.driver.finishRevertMigration(guestSpec(move, move.old_flavor), powersOn(move));
    } catch (err) {
      broken = describeError(err);
      log.warn({ uuid, err: broken }, 'could not restore the guest on the source');
      await this.event(ctx, uuid, event, 'Error', broken);
    }
    const reason = broken ?? failure;
    const done = await this.step(ctx, {
      instance_uuid: uuid,
      expected_task_state: [TaskState.RESIZE_REVERTING],
      instance: {
        vm_state: broken ? VmState.ERROR : move.old_vm_state,
        task_state: null,
        host: this.host,
        node: m.source_node ?? this.host,
        flavor: 'old',
        clear_move_flavors: true,
        power_state: await this.driver.powerState(uuid),
      },
      migration: {
        uuid: m.uuid,
        expected_status: failure ? ['post-migrating'] : ['reverting'],
        status: failure || broken ? 'error' : 'reverted',
      },
      allocations: 'revert',
      ...(reason ? { fault: { message: reason, details: null } } : {}),
      host: this.host,
    });
    if (done && !broken) {
      await this.event(ctx, uuid, event, 'Success');
    }
  }

  /** Live migration, on the source: prepare the destination, migrate, hand over or roll back. */
  async liveMigration(ctx: RequestContext, move: WireMove): Promise<void> {
    const uuid = move.guest.instance_uuid;
    const m = move.migration;
    const dest = m.dest_compute ?? '';
    const event = 'compute_live_migration';
    await this.event(ctx, uuid, event, 'start');
    const rollback = async (status: 'error' | 'cancelled', from: string[], reason: string) => {
      await this.event(ctx, uuid, event, 'Error', reason);
      await this.computes
        .move(ctx, dest, 'rollback_live_migration_at_destination', move)
        .catch(() => undefined);
      await this.report(ctx, {
        instance_uuid: uuid,
        expected_task_state: [TaskState.MIGRATING],
        instance: { task_state: null, power_state: await this.driver.powerState(uuid) },
        migration: { uuid: m.uuid, expected_status: from, status },
        allocations: 'revert',
        ...(status === 'error' ? { fault: { message: reason, details: null } } : {}),
        host: this.host,
      });
    };
    // Each status swap fails when an abort cancelled the migration meanwhile (2.65).
    const advance = async (from: string, to: string): Promise<boolean> => {
      try {
        await this.conductor.migrationStatus(ctx, m.uuid, [from], to);
        return true;
      } catch (err) {
        if (!(err instanceof MigrationStateChanged)) {
          throw err;
        }
        await rollback('cancelled', ['cancelled'], 'Live migration aborted');
        return false;
      }
    };
    if (!(await advance('queued', 'preparing'))) {
      return;
    }
    try {
      await this.computes.moveCall(ctx, dest, 'pre_live_migration', move);
    } catch (err) {
      await rollback('error', ['preparing', 'cancelled'], describeError(err));
      return;
    }
    if (!(await advance('preparing', 'running'))) {
      return;
    }
    try {
      await this.driver.liveMigration(guestSpec(move, move.old_flavor), dest, {
        blockMigration: move.block_migration ?? null,
      });
    } catch (err) {
      const aborted = err instanceof MigrationAborted;
      log.warn({ uuid, err: describeError(err) }, 'live migration did not complete');
      await rollback(aborted ? 'cancelled' : 'error', ['running'], describeError(err));
      return;
    }
    const power = await this.driver.powerState(uuid);
    await this.conductor.migrationStatus(ctx, m.uuid, ['running'], 'post-migrating');
    await this.computes.moveCall(ctx, dest, 'post_live_migration_at_destination', {
      ...move,
      power_state: power,
    });
    await this.driver.destroy(uuid);
    const done = await this.step(ctx, {
      instance_uuid: uuid,
      expected_task_state: [TaskState.MIGRATING],
      instance: { task_state: null, host: dest, node: m.dest_node ?? dest, power_state: power },
      migration: { uuid: m.uuid, expected_status: ['post-migrating'], status: 'completed' },
      allocations: 'drop',
      host: this.host,
    });
    if (done) {
      await this.event(ctx, uuid, event, 'Success');
    }
  }

  /** force_complete / abort of the live migration running from this host. */
  private async control(
    ctx: RequestContext,
    uuid: string,
    action: 'force_complete' | 'abort',
  ): Promise<void> {
    const event =
      action === 'abort' ? 'compute_live_migration_abort' : 'compute_live_migration_force_complete';
    await this.event(ctx, uuid, event, 'start');
    try {
      await (action === 'abort'
        ? this.driver.liveMigrationAbort(uuid)
        : this.driver.liveMigrationForceComplete(uuid));
    } catch (err) {
      await this.event(ctx, uuid, event, 'Error', describeError(err));
      return;
    }
    await this.event(ctx, uuid, event, 'Success');
  }

  /** Evacuation, on the destination: the guest rebuilt here from its image. */
  async evacuate(ctx: RequestContext, move: WireMove): Promise<void> {
    const uuid = move.guest.instance_uuid;
    const m = move.migration;
    const event = 'compute_rebuild_instance';
    // The event and the first swap are independent: one round trip, not two.
    const [, started] = await Promise.all([
      this.event(ctx, uuid, event, 'start'),
      this.step(ctx, {
        instance_uuid: uuid,
        expected_task_state: [TaskState.REBUILDING],
        instance: { task_state: TaskState.REBUILD_SPAWNING },
        host: this.host,
      }),
    ]);
    if (!started) {
      return;
    }
    try {
      await this.driver.spawn(this.arriving(move, move.old_flavor, move.admin_password ?? null));
      if (!powersOn(move)) {
        await this.driver.powerOff(uuid);
      }
    } catch (err) {
      const reason = describeError(err);
      log.warn({ uuid, err: reason }, 'evacuation failed on the destination');
      await this.event(ctx, uuid, event, 'Error', reason);
      await this.driver.destroy(uuid).catch(() => undefined);
      await this.report(ctx, {
        instance_uuid: uuid,
        expected_task_state: [TaskState.REBUILD_SPAWNING],
        instance: { vm_state: VmState.ERROR, task_state: null },
        migration: { uuid: m.uuid, expected_status: ['pre-migrating'], status: 'failed' },
        allocations: 'revert',
        fault: { message: reason, details: null },
        host: this.host,
      });
      return;
    }
    const done = await this.step(ctx, {
      instance_uuid: uuid,
      expected_task_state: [TaskState.REBUILD_SPAWNING],
      instance: {
        vm_state: settledState(move),
        task_state: null,
        host: this.host,
        node: m.dest_node ?? this.host,
        power_state: await this.driver.powerState(uuid),
        launched_at: new Date().toISOString(),
      },
      // The source's allocation stays with the migration until the source cleans up.
      migration: { uuid: m.uuid, expected_status: ['pre-migrating'], status: 'done' },
      host: this.host,
    });
    if (!done) {
      await this.driver.destroy(uuid).catch(() => undefined);
      return;
    }
    await this.event(ctx, uuid, event, 'Success');
  }

  /**
   * Nova's _destroy_evacuated_instances, when this host starts: guests that
   * were evacuated elsewhere while it was down go, and so does the allocation
   * their migration kept here.
   */
  async destroyEvacuatedInstances(): Promise<number> {
    const ctx = adminContext();
    const evacuated = await this.conductor.evacuationsFrom(ctx, this.host);
    for (const { migration_uuid, instance_uuid } of evacuated) {
      await this.driver.destroy(instance_uuid);
      await this.conductor.evacuationCleaned(ctx, migration_uuid);
      log.info(
        { uuid: instance_uuid, migration: migration_uuid, host: this.host },
        'destroyed an evacuated instance',
      );
    }
    return evacuated.length;
  }

  /** A step's report; false when the instance or migration moved on (the step is dropped). */
  private async step(ctx: RequestContext, update: MoveUpdate): Promise<boolean> {
    try {
      await this.conductor.moveUpdate(ctx, update);
      return true;
    } catch (err) {
      if (isMoot(err)) {
        log.info({ uuid: update.instance_uuid, err: describeError(err) }, 'move step is moot');
        return false;
      }
      throw err;
    }
  }

  /** A rollback's report: logged when it cannot be applied, never thrown. */
  private async report(ctx: RequestContext, update: MoveUpdate): Promise<void> {
    await this.step(ctx, update).catch((err: unknown) =>
      log.error({ uuid: update.instance_uuid, err: describeError(err) }, 'rollback not recorded'),
    );
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
