import { randomUUID } from 'node:crypto';
import { describeError, type RequestContext } from '@nova/common';
import type { CellRouter } from '@nova/cell-router';
import { cellDb, type CellRepositories } from '@nova/cells/db';
import {
  CellConductorClient,
  InstanceNotFound,
  NoValidHost,
  type MigrationType,
  type SchedulerClient,
  type Selection,
  type WireFlavor,
  type WireMoveRequest,
  type WireRequestSpec,
} from '@nova/compute-rpc';
import { VmState } from '@nova/compute-state';
import type { NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import type { PlacementService } from '@nova/placement';
import type { BuildRequests, ServerRecord } from '@nova/servers';
import { CrossCellResize } from './cross-cell-resize';

const log = getLogger('conductor.super');

/** Per move: the status its record starts in, the one once placed, the conductor's event. */
const STEPS: Record<MigrationType, { initial: string; placed: string; event: string }> = {
  resize: { initial: 'pre-migrating', placed: 'pre-migrating', event: 'conductor_migrate_server' },
  migration: {
    initial: 'pre-migrating',
    placed: 'pre-migrating',
    event: 'conductor_migrate_server',
  },
  'live-migration': {
    initial: 'accepted',
    placed: 'queued',
    event: 'conductor_live_migrate_instance',
  },
  evacuation: { initial: 'accepted', placed: 'pre-migrating', event: 'conductor_rebuild_server' },
};

/**
 * The super conductor's part of a move (Nova's MigrationTask, LiveMigrationTask
 * and the evacuation's rebuild_instance): the migration record, the source
 * allocation handed to the migration as consumer, the scheduler asked with the
 * server's request spec (its group, zone and hints; the source excluded unless
 * a resize may stay; only the server's cell), which claims the destination
 * for the instance. Then the cell conductor takes over. When no host takes
 * the server everything is undone: the allocation back to the instance, the
 * migration in `error`, the task state cleared (an evacuation ends in ERROR,
 * as in Nova).
 */
export class MoveTask {
  readonly crossCell: CrossCellResize;

  constructor(
    private readonly config: NovaConfig,
    private readonly router: CellRouter,
    private readonly scheduler: SchedulerClient,
    private readonly placement: PlacementService,
    private readonly builds: BuildRequests,
  ) {
    this.crossCell = new CrossCellResize(config, router, placement, builds);
  }

  async run(ctx: RequestContext, req: WireMoveRequest): Promise<void> {
    const uuid = req.instance_uuid;
    const location = await this.router.lookupInstance(uuid);
    if (!location?.cell) {
      throw new InstanceNotFound(`Instance ${uuid} could not be found.`, { instance_uuid: uuid });
    }
    const cctx = this.router.targetCell(ctx, location.cell);
    const db = await cellDb(cctx);
    const [server, flavors] = await Promise.all([db.servers.get(uuid), db.servers.flavors(uuid)]);
    if (!server?.host || !flavors) {
      throw new InstanceNotFound(`Instance ${uuid} could not be found.`, { instance_uuid: uuid });
    }
    const type = req.migration_type;
    const steps = STEPS[type];
    const newFlavor = req.flavor ?? flavors.cur;
    const migrationUuid = randomUUID();
    const done = { moved: false, undone: false };
    try {
      await db.migrationWriter.create({
        uuid: migrationUuid,
        instance_uuid: uuid,
        migration_type: type,
        status: steps.initial,
        source_compute: server.host,
        source_node: server.node,
        dest_compute: type === 'evacuation' ? req.host : null,
        old_instance_type_id: flavors.cur.id,
        new_instance_type_id: newFlavor.id,
        user_id: server.user_id,
        project_id: server.project_id,
      });
      // Independent writes, at once (the allocation's move is recorded as soon as it is done).
      await Promise.all([
        db.writer.setSystemMetadata(uuid, 'old_vm_state', server.vm_state),
        db.writer.actionEvent(ctx.requestId, uuid, steps.event, null, 'start', null),
        type === 'resize' || type === 'migration'
          ? db.writer.compareAndSwap(
              uuid,
              [req.task_state],
              {},
              { flavors: { cur: flavors.cur, old: flavors.cur, new: newFlavor } },
            )
          : null,
        this.placement
          .moveAllocations(uuid, migrationUuid, server.project_id, server.user_id)
          .then((moved) => (done.moved = moved)),
      ]);
      let selection: Selection;
      try {
        selection = await this.selectPreferringCell(
          ctx,
          req,
          server,
          newFlavor,
          location.cell.uuid,
        );
      } catch (err) {
        const reason =
          err instanceof NoValidHost && err.message.startsWith('No valid host')
            ? err.message
            : `No valid host was found. ${describeError(err)}`;
        log.info({ uuid, type, reason }, 'no host for the move: undoing it');
        done.undone = true;
        await this.undo(ctx, db, req, server, {
          migrationUuid,
          moved: done.moved,
          reason,
          flavors: flavors.cur,
        });
        throw new NoValidHost(reason, { instance_uuid: uuid });
      }
      const crossCell = selection.cell_uuid !== location.cell.uuid;
      await db.migrationWriter.swapStatus(migrationUuid, [steps.initial], steps.placed, {
        dest_compute: selection.host,
        dest_node: selection.nodename,
        dest_host: selection.host,
        ...(crossCell ? { cross_cell_move: true } : {}),
      });
      await db.writer.actionEvent(ctx.requestId, uuid, steps.event, null, 'Success', null);
      if (crossCell) {
        log.info(
          { uuid, from: server.host, to: selection.host, migration: migrationUuid },
          'cross-cell resize scheduled',
        );
        // The caller waited for the scheduling only; the copy and the hosts' work run on.
        const sourceCell = location.cell;
        void this.crossCell.execute(ctx, sourceCell, migrationUuid, selection);
        return;
      }
      log.info(
        { uuid, type, from: server.host, to: selection.host, migration: migrationUuid },
        'move scheduled',
      );
      const conductor = new CellConductorClient(
        await cctx.cell.mq(),
        this.config.DEFAULT.rpc_response_timeout * 1000,
      );
      await conductor.executeMove(ctx, migrationUuid, {
        ...(req.block_migration !== undefined ? { block_migration: req.block_migration } : {}),
        ...(req.admin_password !== undefined ? { admin_password: req.admin_password } : {}),
      });
    } catch (err) {
      if (!done.undone) {
        // Failed here, not for want of a host: the server must not stay half-moved.
        log.error({ uuid, type, err: describeError(err) }, 'could not start the move: undoing it');
        await this.undo(ctx, db, req, server, {
          migrationUuid,
          moved: done.moved,
          reason: describeError(err),
          flavors: flavors.cur,
        }).catch((e: unknown) =>
          log.error({ uuid, err: describeError(e) }, 'could not undo the move'),
        );
      }
      throw err;
    }
  }

  /**
   * The server's own cell first; a resize the caller may take across cells
   * (policy compute:servers:resize:cross_cell) then looks at every cell, as
   * Nova's CrossCellWeigher prefers the source cell by default.
   */
  private async selectPreferringCell(
    ctx: RequestContext,
    req: WireMoveRequest,
    server: ServerRecord,
    flavor: WireFlavor,
    cellUuid: string,
  ): Promise<Selection> {
    try {
      return await this.select(ctx, req, server, flavor, cellUuid);
    } catch (err) {
      if (!(err instanceof NoValidHost) || !req.cross_cell || req.migration_type !== 'resize') {
        throw err;
      }
      log.info({ uuid: server.uuid }, "no host in the server's cell: looking in the other cells");
      return this.select(ctx, req, server, flavor, null);
    }
  }

  /** The scheduler's claimed destination for the instance, with its new flavor. */
  private async select(
    ctx: RequestContext,
    req: WireMoveRequest,
    server: ServerRecord,
    flavor: WireFlavor,
    cellUuid: string | null,
  ): Promise<Selection> {
    const spec: WireRequestSpec = (await this.builds.spec(server.uuid)) ?? {
      instance_uuids: [server.uuid],
      project_id: server.project_id,
      user_id: server.user_id,
      flavor,
      image: { id: server.image_ref ?? '', name: null, min_disk: 0, min_ram: 0, properties: {} },
      availability_zone: null,
      scheduler_hints: {},
      group: null,
      requested_host: null,
      requested_node: null,
      ignore_hosts: [],
    };
    const forced = req.force && req.host !== null;
    const destinations = await this.scheduler.selectDestinations(ctx, {
      ...spec,
      instance_uuids: [server.uuid],
      flavor,
      requested_host: forced ? null : req.host,
      requested_node: null,
      ignore_hosts: req.same_host ? [] : [server.host ?? ''],
      force_hosts: forced && req.host ? [req.host] : [],
      requested_cell: cellUuid,
      is_move: true,
      is_rebuild: false,
    });
    const selected = destinations[0]?.[0];
    if (!selected) {
      throw new NoValidHost('No valid host was found. There are not enough hosts available.');
    }
    return selected;
  }

  private async undo(
    ctx: RequestContext,
    db: CellRepositories,
    req: WireMoveRequest,
    server: ServerRecord,
    what: { migrationUuid: string; moved: boolean; reason: string; flavors: WireFlavor },
  ): Promise<void> {
    const uuid = server.uuid;
    if (what.moved) {
      await this.placement.moveAllocations(
        what.migrationUuid,
        uuid,
        server.project_id,
        server.user_id,
      );
    }
    await db.migrationWriter.swapStatus(what.migrationUuid, 'any', 'error').catch(() => undefined); // never written
    const evacuation = req.migration_type === 'evacuation';
    await db.writer
      .compareAndSwap(
        uuid,
        [req.task_state],
        { task_state: null, ...(evacuation ? { vm_state: VmState.ERROR } : {}) },
        { flavors: { cur: what.flavors } },
      )
      .catch((err: unknown) =>
        log.info({ uuid, err: describeError(err) }, 'instance moved on while the move failed'),
      );
    if (evacuation) {
      await db.writer.addFault(uuid, 500, what.reason, null, null);
    }
    await db.writer.actionEvent(
      ctx.requestId,
      uuid,
      STEPS[req.migration_type].event,
      null,
      'Error',
      what.reason,
    );
  }
}
