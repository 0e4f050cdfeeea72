import { describeError, type RequestContext } from '@nova/common';
import type { Cell, CellRouter } from '@nova/cell-router';
import { cellDb, type CellRepositories, type InstanceFlavors } from '@nova/cells/db';
import { ComputeClient, InstanceNotFound, type Selection, type WireMove } from '@nova/compute-rpc';
import { PowerState, TaskState, VmState } from '@nova/compute-state';
import type { NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import type { PlacementService } from '@nova/placement';
import type { BuildRequests } from '@nova/servers';
import { wireMoveOf } from './cell-moves';

const log = getLogger('conductor.cross-cell');

/** One cell as a move sees it: where it is, its database and its hosts. */
interface Side {
  readonly cell: Cell;
  readonly db: CellRepositories;
  readonly compute: ComputeClient;
}

/** How far a move got: what an undo has to take back. */
type Stage = 'copied' | 'source-off' | 'dest-spawned';

/**
 * A resize into another cell, driven by the super conductor alone (Nova's
 * CrossCellMigrationTask, ConfirmResizeTask and RevertResizeTask): a cell
 * conductor knows its own cell only. The instance and its records are copied
 * hidden into the target cell with the migration (in both cells, marked
 * cross_cell_move), the source host powers the guest off and sets it aside,
 * the destination spawns it with the new flavor, then the target copy is
 * shown, the mapping switched and the source copy hidden: the server is
 * listed once, where it is mapped. Confirm drops the source copy; revert
 * brings it back and drops the target's. The hosts only do driver work; every
 * database write is a compare-and-swap here. A failure at any step undoes the
 * move: no copy left in the target cell, the allocation back to the instance.
 */
export class CrossCellResize {
  constructor(
    private readonly config: NovaConfig,
    private readonly router: CellRouter,
    private readonly placement: PlacementService,
    private readonly builds: BuildRequests,
  ) {}

  /** After the scheduler claimed `selection` in another cell than `sourceCell`. */
  async execute(
    ctx: RequestContext,
    sourceCell: Cell,
    migrationUuid: string,
    selection: Selection,
  ): Promise<void> {
    const source = await this.side(ctx, sourceCell);
    const target = await this.side(ctx, await this.router.cell(selection.cell_uuid));
    const move = await wireMoveOf(source.db, this.deps(), migrationUuid, {});
    const uuid = move.guest.instance_uuid;
    let stage: Stage | null = null;
    try {
      // The source first: a server deleted or reset meanwhile stops the move here.
      await source.db.writer.compareAndSwap(
        uuid,
        [TaskState.RESIZE_PREP],
        { task_state: TaskState.RESIZE_MIGRATING },
        { migration: { uuid: migrationUuid, expected: ['pre-migrating'], status: 'migrating' } },
      );
      const bundle = await source.db.instanceCopy.read(uuid, migrationUuid);
      if (!bundle) {
        throw new InstanceNotFound(`Instance ${uuid} could not be found.`, { instance_uuid: uuid });
      }
      await target.db.instanceCopy.write(bundle, true, { hidden: 1, cross_cell_move: 1 });
      stage = 'copied';
      await this.step(ctx, target, uuid, 'compute_prep_snapshot_based_resize_at_source', () =>
        source.compute.crossCellStep(
          ctx,
          move.migration.source_compute,
          'prep_snapshot_based_resize_at_source',
          move,
        ),
      );
      stage = 'source-off';
      const migrated = { task_state: TaskState.RESIZE_MIGRATED, power_state: PowerState.SHUTDOWN };
      await source.db.writer.compareAndSwap(uuid, [TaskState.RESIZE_MIGRATING], migrated, {
        migration: { uuid: migrationUuid, expected: ['migrating'], status: 'post-migrating' },
      });
      await target.db.writer.compareAndSwap(uuid, [TaskState.RESIZE_MIGRATING], migrated, {
        migration: { uuid: migrationUuid, expected: ['migrating'], status: 'post-migrating' },
      });
      const power = await this.step(
        ctx,
        target,
        uuid,
        'compute_finish_snapshot_based_resize_at_dest',
        () =>
          target.compute.crossCellStep(
            ctx,
            selection.host,
            'finish_snapshot_based_resize_at_dest',
            move,
          ),
      );
      stage = 'dest-spawned';
      await this.switchTo(target, source, move, selection, power);
      log.info(
        { uuid, from: sourceCell.name, to: target.cell.name, migration: migrationUuid },
        'cross-cell resize finished: VERIFY_RESIZE in the target cell',
      );
    } catch (err) {
      const reason = describeError(err);
      log.warn({ uuid, stage, err: reason }, 'cross-cell resize failed: undoing it');
      await this.undo(ctx, source, target, move, stage, reason).catch((e: unknown) =>
        log.error({ uuid, err: describeError(e) }, 'could not undo the cross-cell resize'),
      );
    }
  }

  /**
   * The target copy becomes the server: shown with the new flavor on its
   * host, the mapping switched (the cached one replaced), then the source
   * copy hidden. Between the two writes a list keeps one of the two copies.
   */
  private async switchTo(
    target: Side,
    source: Side,
    move: WireMove,
    selection: Selection,
    power: number,
  ): Promise<void> {
    const uuid = move.guest.instance_uuid;
    const m = move.migration;
    const flavors: InstanceFlavors = {
      cur: move.new_flavor,
      old: move.old_flavor,
      new: move.new_flavor,
    };
    await target.db.writer.compareAndSwap(
      uuid,
      [TaskState.RESIZE_MIGRATED],
      {
        vm_state: VmState.RESIZED,
        task_state: null,
        host: selection.host,
        node: selection.nodename,
        power_state: power,
        launched_at: new Date(),
        availability_zone: selection.availability_zone ?? null,
        ...sizeOf(move.new_flavor),
      },
      { flavors, migration: { uuid: m.uuid, expected: ['post-migrating'], status: 'finished' } },
    );
    await target.db.migrationWriter.swapStatus(m.uuid, ['finished'], 'finished', {
      dest_compute: selection.host,
      dest_node: selection.nodename,
      dest_host: selection.host,
    });
    await target.db.instanceCopy.setMigrationHidden(m.uuid, false);
    await target.db.instanceCopy.setHidden(uuid, false);
    await this.router.mappings.setCell(uuid, target.cell);
    await source.db.instanceCopy.setHidden(uuid, true);
    await source.db.instanceCopy.setMigrationHidden(m.uuid, true);
    await source.db.migrationWriter.swapStatus(m.uuid, ['post-migrating'], 'finished');
  }

  /** Confirmed (the API swapped the target copy to resize_confirming): the source copy goes. */
  async confirm(ctx: RequestContext, uuid: string, migrationUuid: string): Promise<void> {
    const { target, source } = await this.sides(ctx, uuid, migrationUuid);
    const move = await wireMoveOf(target.db, this.deps(), migrationUuid, {});
    await target.db.writer.actionEvent(
      ctx.requestId,
      uuid,
      'compute_confirm_snapshot_based_resize_at_source',
      null,
      'start',
      null,
    );
    if (source) {
      await source.compute
        .crossCellStep(
          ctx,
          move.migration.source_compute,
          'confirm_snapshot_based_resize_at_source',
          move,
        )
        .catch((err: unknown) =>
          log.warn({ uuid, err: describeError(err) }, 'the source host kept its copy'),
        );
      await source.db.instanceCopy.purge(uuid, null);
      await source.db.migrationWriter.swapStatus(migrationUuid, 'any', 'confirmed');
    }
    await this.placement.release(migrationUuid);
    await target.db.writer.compareAndSwap(
      uuid,
      [TaskState.RESIZE_CONFIRMING],
      { vm_state: settled(move), task_state: null },
      {
        flavors: { cur: move.new_flavor },
        migration: { uuid: migrationUuid, expected: ['confirming'], status: 'confirmed' },
      },
    );
    await this.builds.setSpecFlavor(uuid, move.new_flavor);
    await target.db.writer.actionEvent(
      ctx.requestId,
      uuid,
      'compute_confirm_snapshot_based_resize_at_source',
      null,
      'Success',
      null,
    );
  }

  /**
   * Reverted (the API swapped the target copy to resize_reverting): the
   * destination's guest goes, the source takes its own back with the old
   * flavor, its copy is shown again with the actions taken meanwhile, the
   * mapping switched back, and the target copy removed.
   */
  async revert(ctx: RequestContext, uuid: string, migrationUuid: string): Promise<void> {
    const { target, source } = await this.sides(ctx, uuid, migrationUuid);
    if (!source) {
      throw new InstanceNotFound(`The source copy of ${uuid} is gone: cannot revert.`, {
        instance_uuid: uuid,
      });
    }
    const move = await wireMoveOf(target.db, this.deps(), migrationUuid, {});
    const event = 'compute_revert_snapshot_based_resize_at_dest';
    await target.db.writer.actionEvent(ctx.requestId, uuid, event, null, 'start', null);
    await target.compute
      .crossCellStep(
        ctx,
        move.migration.dest_compute ?? '',
        'revert_snapshot_based_resize_at_dest',
        move,
      )
      .catch((err: unknown) =>
        log.warn({ uuid, err: describeError(err) }, 'the destination kept its guest'),
      );
    await target.db.writer.actionEvent(ctx.requestId, uuid, event, null, 'Success', null);
    let power: number = PowerState.NOSTATE;
    let broken: string | null = null;
    try {
      power = await source.compute.crossCellStep(
        ctx,
        move.migration.source_compute,
        'finish_revert_snapshot_based_resize_at_source',
        move,
      );
    } catch (err) {
      broken = describeError(err);
      log.warn({ uuid, err: broken }, 'could not restore the guest on the source');
    }
    await this.giveBack(target.db, migrationUuid, uuid);
    await source.db.instanceCopy.addMissingActions(
      uuid,
      await target.db.instanceCopy.actions(uuid),
    );
    await source.db.writer.compareAndSwap(
      uuid,
      [TaskState.RESIZE_MIGRATED],
      {
        vm_state: broken ? VmState.ERROR : move.old_vm_state,
        task_state: null,
        power_state: power,
      },
      {
        flavors: { cur: move.old_flavor },
        migration: { uuid: migrationUuid, expected: 'any', status: broken ? 'error' : 'reverted' },
      },
    );
    if (broken) {
      await source.db.writer.addFault(uuid, 500, broken, null, move.migration.source_compute);
    }
    await source.db.instanceCopy.setMigrationHidden(migrationUuid, false);
    await source.db.instanceCopy.setHidden(uuid, false);
    await this.router.mappings.setCell(uuid, source.cell);
    await target.db.instanceCopy.purge(uuid, migrationUuid);
    await this.builds.setSpecFlavor(uuid, move.old_flavor);
  }

  /**
   * Take the move back from wherever it got, the source copy left as it was
   * (its guest back on, its state before the move, with a fault).
   */
  private async undo(
    ctx: RequestContext,
    source: Side,
    target: Side,
    move: WireMove,
    stage: Stage | null,
    reason: string,
  ): Promise<void> {
    const uuid = move.guest.instance_uuid;
    const m = move.migration;
    if (!(await source.db.instances.findByUuid(uuid, 'no'))) {
      // Deleted meanwhile: nothing to give back to, no copy to keep.
      await this.placement.release(m.uuid);
      await target.db.instanceCopy.purge(uuid, m.uuid);
      await this.router.mappings.forget(uuid);
      return;
    }
    if (stage === 'dest-spawned') {
      await target.compute
        .crossCellStep(ctx, m.dest_compute ?? '', 'revert_snapshot_based_resize_at_dest', move)
        .catch(() => undefined);
    }
    let broken: string | null = null;
    let power: number =
      settled(move) === VmState.STOPPED ? PowerState.SHUTDOWN : PowerState.RUNNING;
    if (stage === 'source-off' || stage === 'dest-spawned') {
      try {
        power = await source.compute.crossCellStep(
          ctx,
          m.source_compute,
          'finish_revert_snapshot_based_resize_at_source',
          move,
        );
      } catch (err) {
        broken = describeError(err);
      }
    }
    if (stage !== null) {
      await target.db.instanceCopy.purge(uuid, m.uuid);
    }
    // Whoever shows the server now must be the source: the mapping may have moved.
    await this.router.mappings.setCell(uuid, source.cell);
    await source.db.instanceCopy.setHidden(uuid, false);
    await source.db.instanceCopy.setMigrationHidden(m.uuid, false);
    await this.giveBack(source.db, m.uuid, uuid);
    await source.db.writer
      .compareAndSwap(
        uuid,
        [TaskState.RESIZE_PREP, TaskState.RESIZE_MIGRATING, TaskState.RESIZE_MIGRATED],
        {
          vm_state: broken ? VmState.ERROR : move.old_vm_state,
          task_state: null,
          power_state: power,
          ...sizeOf(move.old_flavor),
        },
        {
          flavors: { cur: move.old_flavor },
          migration: { uuid: m.uuid, expected: 'any', status: 'error' },
        },
      )
      .catch((err: unknown) =>
        log.info({ uuid, err: describeError(err) }, 'instance moved on while the move failed'),
      );
    await source.db.writer.addFault(uuid, 500, broken ?? reason, null, m.source_compute);
    await source.db.writer.actionEvent(
      ctx.requestId,
      uuid,
      'conductor_migrate_server',
      null,
      'Error',
      reason,
    );
  }

  /** The migration's allocation (the source host) back to the instance, in place of its claim. */
  private async giveBack(db: CellRepositories, migrationUuid: string, uuid: string) {
    const m = await db.migrations.byUuid(migrationUuid);
    await this.placement.moveAllocations(
      migrationUuid,
      uuid,
      m?.project_id ?? '',
      m?.user_id ?? '',
    );
  }

  /** A host's step, recorded as an event of the (hidden) target copy's action. */
  private async step(
    ctx: RequestContext,
    target: Side,
    uuid: string,
    event: string,
    run: () => Promise<number>,
  ): Promise<number> {
    await target.db.writer.actionEvent(ctx.requestId, uuid, event, null, 'start', null);
    // A failure is recorded by the undo, on the source: this copy goes with it.
    const power = await run();
    await target.db.writer.actionEvent(ctx.requestId, uuid, event, null, 'Success', null);
    return power;
  }

  /** The cell the server is mapped to, and the other cell holding the migration, if any. */
  private async sides(
    ctx: RequestContext,
    uuid: string,
    migrationUuid: string,
  ): Promise<{ target: Side; source: Side | null }> {
    const location = await this.router.lookupInstance(uuid);
    if (!location?.cell) {
      throw new InstanceNotFound(`Instance ${uuid} could not be found.`, { instance_uuid: uuid });
    }
    const target = await this.side(ctx, location.cell);
    for (const cell of await this.router.cells()) {
      if (cell.uuid === location.cell.uuid) {
        continue;
      }
      const side = await this.side(ctx, cell).catch(() => null);
      if (side && (await side.db.migrations.byUuid(migrationUuid).catch(() => null))) {
        return { target, source: side };
      }
    }
    return { target, source: null };
  }

  private async side(ctx: RequestContext, cell: Cell): Promise<Side> {
    const cctx = this.router.targetCell(ctx, cell);
    return {
      cell,
      db: await cellDb(cctx),
      compute: new ComputeClient(
        await cctx.cell.mq(),
        this.config.DEFAULT.rpc_response_timeout * 1000,
      ),
    };
  }

  private deps() {
    return { builds: this.builds, config: this.config };
  }
}

/** The size columns an instance keeps of its flavor. */
function sizeOf(flavor: WireMove['new_flavor']) {
  return {
    instance_type_id: flavor.id,
    vcpus: flavor.vcpus,
    memory_mb: flavor.memory_mb,
    root_gb: flavor.root_gb,
    ephemeral_gb: flavor.ephemeral_gb,
  };
}

/** The vm_state a finished (or undone) move leaves: a stopped server stays stopped. */
function settled(move: WireMove): string {
  return move.old_vm_state === VmState.STOPPED ? VmState.STOPPED : VmState.ACTIVE;
}
