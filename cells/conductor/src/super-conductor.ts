import { describeError, type RequestContext } from '@nova/common';
import { type CellRouter, type InstanceMappings, isCell0, type Cell } from '@nova/cell-router';
import { cellDb, instanceName } from '@nova/cells/db';
import {
  ComputeClient,
  NoValidHost,
  type BuildInstanceFields,
  type BuildSecrets,
  type SchedulerClient,
  type Destinations,
  type Selection,
  type WireMoveRequest,
  type WireGuest,
  type WireRequestSpec,
} from '@nova/compute-rpc';
import { TaskState, VmState } from '@nova/compute-state';
import type { NovaConfig } from '@nova/config';
import type { ImageBackend } from '@nova/images';
import { getLogger } from '@nova/logging';
import type { PlacementService } from '@nova/placement';
import type { BuildRequests } from '@nova/servers';
import { MoveTask } from './move-task';
import { Unshelver, type UnshelveRequest } from './unshelve';

const log = getLogger('conductor.super');

/** How far a build got in this conductor: the cell its instance row was written to. */
interface BuildProgress {
  rowIn: Cell | null;
}

/**
 * The API-level conductor: turns build requests into instances. It asks the
 * scheduler for claimed hosts, creates each instance in its chosen cell, points
 * the mapping there, drops the build request and casts the build to the host;
 * with no valid host the instance is buried in cell0 in ERROR with a fault.
 */
export class SuperConductor {
  private readonly moves: MoveTask;
  private readonly unshelver: Unshelver;

  constructor(
    private readonly config: NovaConfig,
    private readonly router: CellRouter,
    private readonly mappings: InstanceMappings,
    private readonly scheduler: SchedulerClient,
    private readonly placement: PlacementService,
    private readonly builds: BuildRequests,
    images: ImageBackend,
  ) {
    this.moves = new MoveTask(config, router, scheduler, placement, builds);
    this.unshelver = new Unshelver(config, router, scheduler, placement, builds, images);
  }

  methods() {
    return {
      schedule_and_build_instances: (
        ctx: RequestContext,
        a: { instance_uuids: string[] } & BuildSecrets,
      ) => this.scheduleAndBuild(ctx, a.instance_uuids, a),
      migrate_server: (ctx: RequestContext, a: { request: WireMoveRequest }) =>
        this.moves.run(ctx, a.request),
      unshelve_instance: (ctx: RequestContext, a: UnshelveRequest) =>
        this.unshelver.unshelve(ctx, a),
    };
  }

  async scheduleAndBuild(
    ctx: RequestContext,
    uuids: readonly string[],
    secrets: BuildSecrets = {},
  ): Promise<void> {
    const spec = await this.builds.spec(uuids[0]);
    if (!spec) {
      log.warn({ uuids }, 'no request spec: build requests deleted before scheduling');
      return;
    }
    let destinations: Destinations;
    try {
      destinations = await this.scheduler.selectDestinations(ctx, {
        ...spec,
        instance_uuids: uuids,
      });
    } catch (err) {
      const reason =
        err instanceof NoValidHost && err.message.startsWith('No valid host')
          ? err.message
          : `No valid host was found. ${describeError(err)}`;
      log.warn({ uuids, reason }, 'scheduling failed: burying the instances in cell0');
      for (const uuid of uuids) {
        await this.buryInCell0(ctx, uuid, reason);
      }
      return;
    }
    await Promise.all(
      uuids.map(async (uuid, i) => {
        const progress: BuildProgress = { rowIn: null };
        try {
          await this.buildOne(ctx, uuid, destinations[i] ?? [], spec, progress, secrets);
        } catch (err) {
          log.error({ uuid, err: describeError(err) }, 'could not start the build');
          await this.abandon(ctx, uuid, progress, describeError(err)).catch((e: unknown) =>
            log.error({ uuid, err: describeError(e) }, 'could not put the failed build in ERROR'),
          );
        }
      }),
    );
  }

  /**
   * A build that failed here (not on its host) must not stay BUILD forever:
   * its claim and addresses go, and the instance ends in ERROR with the reason
   * as fault, in its cell when it got there, else in cell0.
   */
  private async abandon(
    ctx: RequestContext,
    uuid: string,
    progress: BuildProgress,
    reason: string,
  ): Promise<void> {
    const message = `Build of instance ${uuid} aborted: ${reason}`;
    await this.placement.release(uuid);
    if (progress.rowIn && !(await this.builds.get(uuid))) {
      // Mapped and the build request gone: the cell's row is the server now.
      const db = await cellDb(this.router.targetCell(ctx, progress.rowIn));
      // The fault first: a show between the two writes must not find ERROR without it.
      await db.writer.addFault(uuid, 500, message, null, null);
      await db.writer.compareAndSwap(uuid, 'any', { vm_state: VmState.ERROR, task_state: null });
      return;
    }
    if (progress.rowIn) {
      await (await cellDb(this.router.targetCell(ctx, progress.rowIn))).writer.softDelete(uuid);
    }
    await this.builds.releaseAddresses(uuid);
    await this.buryInCell0(ctx, uuid, message);
  }

  private async buildOne(
    ctx: RequestContext,
    uuid: string,
    candidates: readonly Selection[],
    spec: WireRequestSpec,
    progress: BuildProgress,
    secrets: BuildSecrets,
  ): Promise<void> {
    const [selected, ...alternates] = candidates;
    const fields = await this.builds.get(uuid);
    if (!selected || !fields) {
      await this.placement.release(uuid); // deleted while it was being scheduled
      return;
    }
    const cell = await this.router.cell(selected.cell_uuid);
    const cctx = this.router.targetCell(ctx, cell);
    const [db, vifs] = await Promise.all([
      cellDb(cctx),
      fields.networks === 'none' ? [] : this.builds.allocateAddress(uuid).then((vif) => [vif]),
    ]);
    const zone =
      selected.availability_zone ??
      fields.availability_zone ??
      this.config.DEFAULT.default_availability_zone;
    const id = await db.writer.create(
      fields,
      {
        host: selected.host,
        node: selected.nodename,
        availability_zone: zone,
        vm_state: VmState.BUILDING,
        task_state: TaskState.SCHEDULING,
      },
      vifs,
    );
    progress.rowIn = cell;
    await Promise.all([
      db.writer.startAction(ctx, uuid, 'create'),
      this.mappings.setCell(uuid, cell),
    ]);
    if (!(await this.builds.delete(uuid))) {
      // The user deleted the build request meanwhile: undo.
      await db.writer.softDelete(uuid);
      await this.placement.release(uuid);
      await this.builds.releaseAddresses(uuid);
      await this.mappings.setQueuedForDelete(uuid, true);
      return;
    }
    const compute = new ComputeClient(
      await cctx.cell.mq(),
      this.config.DEFAULT.rpc_response_timeout * 1000,
    );
    await compute.buildAndRun(ctx, selected.host, {
      instance_uuid: uuid,
      instance_name: instanceName(id),
      flavor: fields.flavor,
      image: spec.image,
      user_data: fields.user_data,
      key_data: fields.key_data,
      vifs,
      alternates,
      attempt: 1,
      spec,
      node: selected.nodename,
      guest: wireGuest(fields, zone, secrets),
    });
  }

  /** No host: the instance lives in cell0, in ERROR, with Nova's fault. */
  private async buryInCell0(ctx: RequestContext, uuid: string, reason: string): Promise<void> {
    const fields = await this.builds.get(uuid);
    if (!fields) {
      return;
    }
    const cell0 = (await this.router.cells()).find((c: Cell) => isCell0(c));
    if (!cell0) {
      log.error({ uuid }, 'cell0 is not mapped: the failed build stays a build request');
      return;
    }
    const db = await cellDb(this.router.targetCell(ctx, cell0));
    await db.writer.create(
      fields,
      {
        host: null,
        node: null,
        availability_zone: fields.availability_zone,
        vm_state: VmState.ERROR,
        task_state: null,
      },
      [],
    );
    await db.writer.addFault(uuid, 500, reason, null, null);
    await db.writer.startAction(ctx, uuid, 'create');
    await this.mappings.setCell(uuid, cell0);
    await this.builds.delete(uuid);
  }
}

/** What the host writes on the guest's config drive, from the build request and the create's secrets. */
function wireGuest(fields: BuildInstanceFields, zone: string, secrets: BuildSecrets): WireGuest {
  return {
    display_name: fields.display_name,
    hostname: fields.hostname,
    availability_zone: zone,
    project_id: fields.project_id,
    launch_index: fields.launch_index,
    reservation_id: fields.reservation_id,
    key_name: fields.key_name,
    metadata: fields.metadata,
    security_groups: fields.security_groups ?? [],
    config_drive: fields.config_drive === 'True',
    admin_password: secrets.admin_password ?? null,
    ...(secrets.injected_files?.length ? { files: secrets.injected_files } : {}),
  };
}
