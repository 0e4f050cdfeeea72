import { adminContext, describeError, type RequestContext } from '@nova/common';
import {
  type CellRouter,
  type InstanceMappings,
  type Cell,
  type CellContext,
} from '@nova/cell-router';
import { cellDb, HostReports, Instance, Service, type CellRepositories } from '@nova/cells/db';
import {
  ComputeClient,
  CONDUCTOR_TOPIC,
  type ComputeNodeReport,
  type InstanceUpdates,
  type WireBuild,
} from '@nova/compute-rpc';
import { TaskState, VmState } from '@nova/compute-state';
import type { NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { type PlacementService } from '@nova/placement';
import { requestedResources } from '@nova/scheduler';
import { dispatcher, type RpcConsumer, type RpcTransport } from '@nova/rpc';
import type { BuildRequests } from '@nova/servers';
import { syncProvider } from './placement-sync';

const log = getLogger('conductor.cell');

/**
 * A cell's conductor: the only writer of the cell database on behalf of its
 * compute hosts (which hold no credentials), plus reschedules on alternates and
 * the reaper of builds stranded on dead hosts. It reaches the API database only
 * for placement claims, addresses and mappings (Nova's "upcalls").
 */
export class CellConductor {
  private consumer?: RpcConsumer;
  private cell!: Cell;
  private reaper?: NodeJS.Timeout;
  private readonly inventories = new Map<string, string>();

  constructor(
    private readonly config: NovaConfig,
    private readonly router: CellRouter,
    private readonly mappings: InstanceMappings,
    private readonly placement: PlacementService,
    private readonly builds: BuildRequests,
  ) {}

  /** The handlers, for a transport this conductor serves alone or shares (nova-all). */
  methods() {
    return {
      instance_update: (
        _ctx: RequestContext,
        a: { uuid: string; expected_task_state: Array<string | null>; updates: InstanceUpdates },
      ) => this.instanceUpdate(a.uuid, a.expected_task_state, a.updates),
      instances_on_host: async (_ctx: RequestContext, a: { host: string }) => {
        const rows = await (await this.ds()).getRepository(Instance).find({
          where: { host: a.host, deleted: 0 },
          select: ['uuid', 'vm_state', 'task_state', 'power_state'],
        });
        return rows.map((r) => ({
          uuid: r.uuid,
          vm_state: r.vm_state,
          task_state: r.task_state,
          power_state: r.power_state,
        }));
      },
      action_event: async (
        ctx: RequestContext,
        a: {
          uuid: string;
          event: string;
          host: string;
          result: 'start' | 'Success' | 'Error';
          details: string | null;
        },
      ) =>
        (await this.db()).writer.actionEvent(
          ctx.requestId,
          a.uuid,
          a.event,
          a.host,
          a.result,
          a.details,
        ),
      build_failed: (ctx: RequestContext, a: { host: string; build: WireBuild; reason: string }) =>
        this.buildFailed(ctx, a.host, a.build, a.reason),
      instance_destroyed: (_ctx: RequestContext, a: { uuid: string }) => this.destroyed(a.uuid),
      service_report: async (_ctx: RequestContext, a: { host: string; binary: string }) => {
        await new HostReports(await this.ds()).heartbeat(
          a.host,
          a.binary,
          a.binary.replace('nova-', ''),
        );
      },
      compute_node_report: (_ctx: RequestContext, a: { node: ComputeNodeReport }) =>
        this.nodeReport(a.node),
    };
  }

  /** The cell whose database is this node's `[database] connection` (a cell conductor's own cell). */
  async localCell(): Promise<Cell> {
    const local = this.config.database.connection;
    const cell = (await this.router.cells()).find((c) => c.databaseConnection === local);
    if (!cell) {
      throw new Error(
        '[database] connection is not the database of any mapped cell (nova-manage cell_v2 create_cell)',
      );
    }
    return cell;
  }

  /**
   * Serve `cell` (default: the local cell, by its [database] connection) on its
   * queue, and reap builds stranded on dead hosts every report_interval.
   */
  async start(mq: RpcTransport | null, cell?: Cell): Promise<void> {
    this.cell = cell ?? (await this.localCell());
    if (mq) {
      this.consumer = await mq.serve(
        { topic: CONDUCTOR_TOPIC, server: this.config.DEFAULT.host },
        dispatcher(this.methods()),
        {
          prefetch: 64,
        },
      );
    }
    const interval = this.config.DEFAULT.report_interval * 1000;
    this.reaper = setInterval(
      () =>
        void this.reapStrandedBuilds().catch((err: unknown) =>
          log.warn({ err: describeError(err) }, 'reaper failed'),
        ),
      interval,
    );
    this.reaper.unref();
    log.debug({ cell: this.cell.name ?? this.cell.uuid }, 'cell conductor serving');
  }

  async stop(): Promise<void> {
    clearInterval(this.reaper);
    await this.consumer?.stop();
  }

  private ctx(): CellContext {
    return this.router.targetCell(adminContext(), this.cell);
  }

  private db(): Promise<CellRepositories> {
    return cellDb(this.ctx());
  }

  private ds() {
    return this.ctx().cell.db();
  }

  private async instanceUpdate(
    uuid: string,
    expected: Array<string | null>,
    updates: InstanceUpdates,
  ) {
    const { launched_at, terminated_at, ...rest } = updates;
    await (
      await this.db()
    ).writer.compareAndSwap(uuid, expected, {
      ...rest,
      ...(launched_at ? { launched_at: new Date(launched_at) } : {}),
      ...(terminated_at ? { terminated_at: new Date(terminated_at) } : {}),
    });
  }

  private async nodeReport(node: ComputeNodeReport): Promise<void> {
    const db = await this.db();
    const reports = new HostReports(await this.ds());
    // The compute heartbeats just before reporting; register it only if that was missed.
    const service =
      (await db.services.findByHostAndBinary(node.host, 'nova-compute')) ??
      (await reports.heartbeat(node.host, 'nova-compute', 'compute'));
    const uuid = await reports.computeNode(node, service.id);
    await syncProvider(this.placement, this.config, this.inventories, uuid, node);
  }

  /** A spawn failed on `host`: move the claim to the next alternate that takes it, or give up. */
  private async buildFailed(
    ctx: RequestContext,
    host: string,
    build: WireBuild,
    reason: string,
  ): Promise<void> {
    const uuid = build.instance_uuid;
    const writer = (await this.db()).writer;
    const maxAttempts = this.config.scheduler.max_attempts;
    const alternates = [...build.alternates];
    while (build.attempt < maxAttempts && alternates.length > 0) {
      const next = alternates.shift()!;
      await this.placement.release(uuid);
      const claimed = await this.placement.claim(
        uuid,
        build.spec.project_id,
        build.spec.user_id,
        next.provider_uuid,
        { ...requestedResources({ flavor: build.flavor }) },
      );
      if (!claimed) {
        continue;
      }
      try {
        await writer.compareAndSwap(uuid, [TaskState.SPAWNING, null], {
          host: next.host,
          node: next.nodename,
          task_state: null,
        });
      } catch (err) {
        log.info(
          { uuid, err: describeError(err) },
          'instance changed before its reschedule (deleted?)',
        );
        await this.placement.release(uuid);
        return;
      }
      log.info(
        { uuid, from: host, to: next.host, attempt: build.attempt + 1 },
        'rescheduling build',
      );
      const compute = new ComputeClient(
        await this.ctx().cell.mq(),
        this.config.DEFAULT.rpc_response_timeout * 1000,
      );
      await compute.buildAndRun(ctx, next.host, {
        ...build,
        alternates,
        attempt: build.attempt + 1,
        node: next.nodename,
      });
      return;
    }
    await this.placement.release(uuid);
    await writer
      .compareAndSwap(uuid, 'any', { vm_state: VmState.ERROR, task_state: null })
      .catch(() => undefined);
    await writer.addFault(
      uuid,
      500,
      `Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance ${uuid}.`,
      reason,
      host,
    );
    log.warn({ uuid, host, reason }, 'build failed on every host tried');
  }

  /** The guest is gone: delete the instance, release its resources, queue the mapping for delete. */
  private async destroyed(uuid: string): Promise<void> {
    await (await this.db()).writer.softDelete(uuid);
    await this.placement.release(uuid);
    await this.builds.releaseGlobalRecords(uuid);
    await this.mappings.setQueuedForDelete(uuid, true);
  }

  /**
   * A build whose host stopped heartbeating (compute killed mid-build) would stay
   * in BUILD forever: put it in ERROR with a fault and release its claim.
   */
  async reapStrandedBuilds(): Promise<number> {
    const ds = await this.ds();
    const downSince = new Date(Date.now() - this.config.DEFAULT.service_down_time * 1000);
    const stale = new Date(Date.now() - this.config.compute.build_timeout_on_down_host * 1000);
    const stranded = await ds
      .getRepository(Instance)
      .createQueryBuilder('i')
      .innerJoin(Service, 's', "s.host = i.host AND s.binary = 'nova-compute' AND s.deleted = 0")
      .where('i.deleted = 0 AND i.vm_state = :building', { building: VmState.BUILDING })
      .andWhere('(s.last_seen_up < :downSince OR s.forced_down = 1)', { downSince })
      .andWhere('i.updated_at < :stale', { stale })
      .select(['i.uuid', 'i.host', 'i.task_state'])
      .getMany();
    const writer = (await this.db()).writer;
    for (const instance of stranded) {
      try {
        await writer.compareAndSwap(instance.uuid, [instance.task_state], {
          vm_state: VmState.ERROR,
          task_state: null,
        });
      } catch {
        continue; // it moved on meanwhile
      }
      // Claim first, fault last: a fault shown means the claim is gone.
      await this.placement.release(instance.uuid);
      await writer.addFault(
        instance.uuid,
        500,
        `Compute host ${instance.host ?? ''} went down during the build`,
        null,
        instance.host,
      );
      log.warn(
        { uuid: instance.uuid, host: instance.host },
        'build stranded on a down host: set to ERROR',
      );
    }
    return stranded.length;
  }
}
