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
  type NicRequest,
  type WireVif,
} from '@nova/compute-rpc';
import { TaskState, VmState } from '@nova/compute-state';
import type { NovaConfig } from '@nova/config';
import type { ImageBackend } from '@nova/images';
import { getLogger } from '@nova/logging';
import type { PlacementService } from '@nova/placement';
import { createNeutronPorts, type NeutronPorts } from '@nova/network';
import type { BuildRequests } from '@nova/servers';
import { MoveTask } from './move-task';
import { Unshelver, type UnshelveRequest } from './unshelve';
import { builds } from '@nova/metrics';

const log = getLogger('conductor.super');

/** schedule_and_build_instances' arguments: the request spec since conductor RPC 1.26. */
type ScheduleAndBuild = { instance_uuids: string[]; request_spec?: WireRequestSpec } & BuildSecrets;

/** Which cross-cell resize to confirm or revert. */
interface CrossCellFinish {
  instance_uuid: string;
  migration_uuid: string;
}

/** How far a build got in this conductor: the cell its instance row was written to. */
interface BuildProgress {
  rowIn: Cell | null;
  /** The ports the user brought (released, not deleted, if the build is given up). */
  userPorts?: readonly string[];
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
  /** Neutron mode: the servers' ports (null on the flat network). */
  private readonly ports: NeutronPorts | null;

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
    this.ports = createNeutronPorts(config)?.ports ?? null;
    this.unshelver = new Unshelver(
      config,
      router,
      scheduler,
      placement,
      builds,
      images,
      this.ports,
    );
  }

  methods() {
    return {
      schedule_and_build_instances: (
        ctx: RequestContext,
        { instance_uuids, request_spec, ...secrets }: ScheduleAndBuild,
      ) => this.scheduleAndBuild(ctx, instance_uuids, secrets, request_spec),
      migrate_server: (ctx: RequestContext, a: { request: WireMoveRequest }) =>
        this.moves.run(ctx, a.request),
      unshelve_instance: (ctx: RequestContext, a: UnshelveRequest) =>
        this.unshelver.unshelve(ctx, a),
      confirm_snapshot_based_resize: (ctx: RequestContext, a: CrossCellFinish) =>
        this.moves.crossCell.confirm(ctx, a.instance_uuid, a.migration_uuid),
      revert_snapshot_based_resize: (ctx: RequestContext, a: CrossCellFinish) =>
        this.moves.crossCell.revert(ctx, a.instance_uuid, a.migration_uuid),
    };
  }

  /**
   * `given`: the request spec the API sent with the cast (conductor RPC 1.26);
   * an older API's cast has none, and it is read from the API database.
   */
  async scheduleAndBuild(
    ctx: RequestContext,
    uuids: readonly string[],
    secrets: BuildSecrets = {},
    given?: WireRequestSpec,
  ): Promise<void> {
    const spec = given ?? (await this.builds.spec(uuids[0]));
    if (!spec) {
      log.warn({ uuids }, 'no request spec: build requests deleted before scheduling');
      return;
    }
    // The build requests are read while the scheduler decides. One deleted
    // meanwhile is still caught: the delete that hands it to its cell finds nothing.
    const requests = Promise.all(uuids.map((uuid) => this.builds.get(uuid)));
    requests.catch(() => undefined); // awaited below, unless scheduling fails first
    // A flat address does not depend on the host: it is taken while the scheduler decides.
    const early = uuids.map((_, i) => this.earlyAddress(requests, i));
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
      builds.inc({ outcome: 'no_valid_host' }, uuids.length);
      const taken = await Promise.all(early.map((address) => address.catch(() => null)));
      for (const [i, uuid] of uuids.entries()) {
        if (taken[i]) {
          await this.builds.releaseAddresses(uuid);
        }
        await this.buryInCell0(ctx, uuid, reason);
      }
      return;
    }
    await Promise.all(
      uuids.map(async (uuid, i) => {
        const progress: BuildProgress = { rowIn: null };
        try {
          await this.buildOne(
            ctx,
            uuid,
            destinations[i] ?? [],
            (await requests)[i] ?? null,
            spec,
            progress,
            secrets,
            early[i],
          );
        } catch (err) {
          log.error({ uuid, err: describeError(err) }, 'could not start the build');
          builds.inc({ outcome: 'error' });
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
    await this.releasePorts(ctx, uuid, progress);
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
    fields: BuildInstanceFields | null,
    spec: WireRequestSpec,
    progress: BuildProgress,
    secrets: BuildSecrets,
    early: Promise<WireVif | null>,
  ): Promise<void> {
    const [selected, ...alternates] = candidates;
    if (!selected || !fields) {
      await this.placement.release(uuid); // deleted while it was being scheduled
      if (await early.catch(() => null)) {
        await this.builds.releaseAddresses(uuid);
      }
      return;
    }
    const cell = await this.router.cell(selected.cell_uuid);
    const cctx = this.router.targetCell(ctx, cell);
    const zone =
      selected.availability_zone ??
      fields.availability_zone ??
      this.config.DEFAULT.default_availability_zone;
    progress.userPorts = portIdsOf(fields);
    const [db, vifs] = await Promise.all([
      cellDb(cctx),
      this.addresses(ctx, fields, zone, selected, early),
    ]);
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
      ctx,
    );
    progress.rowIn = cell;
    const handedOver = await this.builds.handOver(uuid, cell.id);
    // A reader that beats the cache to it finds no build request and reads the mapping.
    const mirrored = this.mappings.mirror({
      instanceUuid: uuid,
      cell,
      projectId: fields.project_id,
      userId: fields.user_id,
      queuedForDelete: false,
    });
    if (!handedOver) {
      await mirrored;
      // The user deleted the build request meanwhile: undo.
      await db.writer.softDelete(uuid);
      await this.placement.release(uuid);
      await this.builds.releaseAddresses(uuid);
      await this.releasePorts(ctx, uuid, progress);
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
    await mirrored;
  }

  /**
   * The NICs of a new instance: Neutron ports bound to the chosen host (the
   * ones created are deleted again if any fails), or one flat address.
   */
  private async addresses(
    ctx: RequestContext,
    fields: BuildInstanceFields,
    zone: string,
    selected: Selection,
    early: Promise<WireVif | null>,
  ): Promise<WireVif[]> {
    if (fields.networks === 'none') {
      return [];
    }
    if (this.ports) {
      const nics = nicsOf(fields);
      return this.ports.allocate(
        ctx,
        { uuid: fields.uuid, projectId: fields.project_id, zone, host: selected.host },
        nics,
        fields.security_groups ?? [],
      );
    }
    return [(await early) ?? (await this.builds.allocateAddress(fields.uuid))];
  }

  /** A build's flat address, taken before its host is known (none with Neutron ports). */
  private earlyAddress(
    requests: Promise<Array<BuildInstanceFields | null>>,
    i: number,
  ): Promise<WireVif | null> {
    if (this.ports) {
      return Promise.resolve(null);
    }
    const address = requests.then((all) => {
      const fields = all[i];
      return fields && fields.networks !== 'none' ? this.builds.allocateAddress(fields.uuid) : null;
    });
    address.catch(() => undefined); // awaited by the build, or released with it
    return address;
  }

  /** A build given up after its ports were made: ours go, the user's are released. */
  private async releasePorts(ctx: RequestContext, uuid: string, progress: BuildProgress) {
    if (!this.ports) {
      return;
    }
    await this.ports
      .deallocate(ctx, uuid, new Set(progress.userPorts ?? []))
      .catch((err: unknown) =>
        log.error(
          { uuid, err: describeError(err) },
          'could not release the ports of a failed build',
        ),
      );
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
      ctx,
    );
    await db.writer.addFault(uuid, 500, reason, null, null);
    await this.mappings.setCell(uuid, cell0);
    await this.builds.delete(uuid);
  }
}

/** The ports a build request names (the user's own). */
export function portIdsOf(fields: Pick<BuildInstanceFields, 'networks'>): string[] {
  return nicsOf(fields).flatMap((n) => (n.port ? [n.port] : []));
}

/** The NICs a build request lists ('auto' and 'none' list none). */
function nicsOf(fields: Pick<BuildInstanceFields, 'networks'>): readonly NicRequest[] {
  const nets = fields.networks;
  return nets === 'auto' || nets === 'none' ? [] : nets;
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
