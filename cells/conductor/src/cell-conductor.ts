import { adminContext, describeError, type RequestContext } from '@nova/common';
import {
  type CellRouter,
  type InstanceMappings,
  type Cell,
  type CellContext,
} from '@nova/cell-router';
import { In } from 'typeorm';
import {
  cellDb,
  HostReports,
  Instance,
  InstanceSystemMetadata,
  notifyActionEvent,
  notifyDeleted,
  Service,
  USAGE_AUDIT_TASK,
  type CellRepositories,
  type WrittenNode,
} from '@nova/cells/db';
import {
  ComputeClient,
  CONDUCTOR_TOPIC,
  publishHostReport,
  type ComputeNodeReport,
  type HostInstance,
  changeWithEvent,
  type ActionEventArgs,
  type InstanceUpdates,
  type ServiceReportReply,
  type WireBuild,
  CONDUCTOR_RPC_VERSION,
  UNREPORTED_SERVICE_VERSION,
} from '@nova/compute-rpc';
import { TaskState, VmState } from '@nova/compute-state';
import type { NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { createNeutronPorts, type NeutronPorts } from '@nova/network';
import { type PlacementService } from '@nova/placement';
import { requestedResources } from '@nova/scheduler';
import { dispatcher, type RpcConsumer, type RpcTransport } from '@nova/rpc';
import type { BuildRequests } from '@nova/servers';
import { CellMoves } from './cell-moves';
import { syncProvider } from './placement-sync';
import { builds } from '@nova/metrics';

/** An action event as recorded (action_event, or instance_update's since conductor 1.27). */
interface RecordedEvent {
  readonly uuid: string;
  readonly event: string;
  readonly host: string;
  readonly result: 'start' | 'Success' | 'Error';
  readonly details: string | null;
}

const log = getLogger('conductor.cell');

/**
 * An unchanged node report is written at least this often (Nova's resource
 * tracker runs every 60 s): updated_at stays fresh and a row changed by
 * another conductor of the cell is set right within a minute.
 */
const NODE_REFRESH_MS = 60_000;

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
  private confirmer?: NodeJS.Timeout;
  private readonly inventories = new Map<string, string>();
  /** Each node's row as last written here: an unchanged report reads its usage and writes nothing. */
  private readonly nodes = new Map<string, WrittenNode>();
  /** The last report of each host, to tell the schedulers whether anything changed. */
  private readonly reported = new Map<string, string>();
  /** The cell's lowest service versions, re-read at most once a report interval. */
  private minVersions?: { at: number; versions: Promise<Record<string, number>> };
  private readonly moves: CellMoves;
  /** Neutron mode: the servers' ports (null on the flat network). */
  private readonly ports: NeutronPorts | null;

  constructor(
    private readonly config: NovaConfig,
    private readonly router: CellRouter,
    private readonly mappings: InstanceMappings,
    private readonly placement: PlacementService,
    private readonly builds: BuildRequests,
    /** Carries host reports to the schedulers' host-state caches. */
    private readonly hostReports?: { publish(channel: string, message: string): Promise<void> },
  ) {
    this.ports = createNeutronPorts(config)?.ports ?? null;
    this.moves = new CellMoves({
      ports: this.ports,
      db: () => this.db(),
      mq: () => this.ctx().cell.mq(),
      placement,
      builds,
      rpcTimeoutMs: config.DEFAULT.rpc_response_timeout * 1000,
      config,
    });
  }

  /** The handlers, for a transport this conductor serves alone or shares (nova-all). */
  methods() {
    return {
      ...this.moves.methods(),
      instance_update: async (
        ctx: RequestContext,
        a: {
          uuid: string;
          expected_task_state: Array<string | null>;
          updates: InstanceUpdates;
          event?: ActionEventArgs;
        },
      ) => {
        const update = () => this.instanceUpdate(a.uuid, a.expected_task_state, a.updates);
        if (!a.event) {
          return update();
        }
        const event = { uuid: a.uuid, ...a.event, details: a.event.details ?? null };
        await changeWithEvent(a.event.result, update, () => this.actionEvent(ctx, event));
      },
      instances_on_host: (_ctx: RequestContext, a: { host: string }) =>
        this.instancesOnHost(a.host),
      action_event: (ctx: RequestContext, a: RecordedEvent) => this.actionEvent(ctx, a),
      build_failed: (
        ctx: RequestContext,
        a: { host: string; build: WireBuild; reason: string; abort?: boolean },
      ) =>
        a.abort
          ? this.buildAborted(ctx, a.host, a.build, a.reason)
          : this.buildFailed(ctx, a.host, a.build, a.reason),
      instance_destroyed: (ctx: RequestContext, a: { uuid: string }) => this.destroyed(ctx, a.uuid),
      set_password: async (_ctx: RequestContext, a: { uuid: string; password: string | null }) =>
        (await this.db()).writer.setPassword(a.uuid, a.password),
      set_system_metadata: async (
        _ctx: RequestContext,
        a: { uuid: string; values: Record<string, string | null> },
      ) => {
        const writer = (await this.db()).writer;
        for (const [key, value] of Object.entries(a.values)) {
          await writer.setSystemMetadata(a.uuid, key, value);
        }
      },
      instance_fault: async (
        _ctx: RequestContext,
        a: {
          uuid: string;
          code: number;
          message: string;
          details: string | null;
          host: string | null;
        },
      ) => (await this.db()).writer.addFault(a.uuid, a.code, a.message, a.details, a.host),
      release_allocation: (_ctx: RequestContext, a: { uuid: string }) =>
        this.placement.release(a.uuid),
      service_report: async (
        _ctx: RequestContext,
        a: { host: string; binary: string; version?: number },
      ): Promise<ServiceReportReply> => {
        const registered = await new HostReports(await this.ds()).heartbeat(
          a.host,
          a.binary,
          a.binary.replace('nova-', ''),
          a.version ?? UNREPORTED_SERVICE_VERSION,
        );
        if (registered) {
          this.forgetNodes(a.host);
        }
        // The heartbeat is recorded even when the versions cannot be read (the host keeps its caps).
        return { min_versions: await this.minServiceVersions().catch(() => undefined) };
      },
      compute_node_report: (_ctx: RequestContext, a: { node: ComputeNodeReport }) =>
        this.nodeReport(a.node),
      instance_usage_audit: (
        _ctx: RequestContext,
        a: { host: string; begin: string; end: string },
      ) => this.usageAudit(a.host, new Date(a.begin), new Date(a.end)),
    };
  }

  /**
   * Nova's instance usage audit of one host for one period, recorded in
   * task_log (os-instance_usage_audit_log reads it): once per host and
   * period, however often the compute asks. True when it ran now.
   */
  private async usageAudit(host: string, begin: Date, end: Date): Promise<boolean> {
    const logs = (await this.db()).taskLogs;
    const started = Date.now();
    if (
      !(await logs.begin(USAGE_AUDIT_TASK, host, begin, end, 'Instance usage audit started...'))
    ) {
      return false;
    }
    const items = await logs.countActiveOnHost(host, begin, end);
    const seconds = ((Date.now() - started) / 1000).toFixed(2);
    await logs.finish(
      USAGE_AUDIT_TASK,
      host,
      { begin, end },
      {
        items,
        errors: 0,
        message: `Instance usage audit ran for host ${host}, ${items} instances in ${seconds} seconds.`,
      },
    );
    return true;
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
        dispatcher(this.methods(), { version: CONDUCTOR_RPC_VERSION }),
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
    const window = this.config.DEFAULT.resize_confirm_window;
    if (window > 0) {
      // Checked several times per window, so a resize is confirmed close to its time.
      this.confirmer = setInterval(
        () =>
          void this.moves
            .confirmOverdue(window)
            .catch((err: unknown) =>
              log.warn({ err: describeError(err) }, 'auto-confirm of resizes failed'),
            ),
        Math.max(500, Math.min(window * 250, interval)),
      );
      this.confirmer.unref();
    }
    log.debug({ cell: this.cell.name ?? this.cell.uuid }, 'cell conductor serving');
  }

  async stop(): Promise<void> {
    clearInterval(this.reaper);
    clearInterval(this.confirmer);
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

  /** What every heartbeat of a compute is answered with, for its `[upgrade_levels]` auto. */
  private minServiceVersions(): Promise<Record<string, number>> {
    const now = Date.now();
    if (
      !this.minVersions ||
      now - this.minVersions.at >= this.config.DEFAULT.report_interval * 1000
    ) {
      const versions = this.ds().then((ds) => new HostReports(ds).minVersions());
      // A failed read is not kept: the next heartbeat tries again.
      versions.catch(() => {
        if (this.minVersions?.versions === versions) {
          this.minVersions = undefined;
        }
      });
      this.minVersions = { at: now, versions };
    }
    return this.minVersions.versions;
  }

  private async actionEvent(ctx: RequestContext, a: RecordedEvent): Promise<void> {
    await (
      await this.db()
    ).writer.actionEvent(ctx.requestId, a.uuid, a.event, a.host, a.result, a.details);
    if (a.event === 'compute_build_and_run_instance' && a.result === 'Success') {
      builds.inc({ outcome: 'active' });
    }
    await notifyActionEvent(await this.ds(), ctx, a);
  }

  private async instanceUpdate(
    uuid: string,
    expected: Array<string | null>,
    updates: InstanceUpdates,
  ) {
    const { launched_at, terminated_at, deleted_at, ...rest } = updates;
    if (this.ports && updates.host === null && updates.vm_state === VmState.SHELVED_OFFLOADED) {
      // Offloaded: on no host, so its ports are bound to none, before that shows (Nova's order).
      await this.ports
        .bind(adminContext(), uuid, null)
        .catch((err: unknown) =>
          log.error({ uuid, err: describeError(err) }, 'could not unbind the ports'),
        );
    }
    await (
      await this.db()
    ).writer.compareAndSwap(uuid, expected, {
      ...rest,
      ...(launched_at ? { launched_at: new Date(launched_at) } : {}),
      ...(terminated_at ? { terminated_at: new Date(terminated_at) } : {}),
      ...(deleted_at !== undefined
        ? { deleted_at: deleted_at === null ? null : new Date(deleted_at) }
        : {}),
    });
  }

  /** The host's instances; SHELVED ones with when they were shelved (the offload clock). */
  private async instancesOnHost(host: string): Promise<HostInstance[]> {
    const rows = await (await this.ds()).getRepository(Instance).find({
      where: { host, deleted: 0 },
      select: ['uuid', 'vm_state', 'task_state', 'power_state', 'deleted_at'],
    });
    const shelved = rows.filter((r) => r.vm_state === VmState.SHELVED).map((r) => r.uuid);
    const shelvedAt = new Map<string, string>();
    if (shelved.length > 0) {
      const meta = await (await this.ds()).getRepository(InstanceSystemMetadata).find({
        where: { instance_uuid: In(shelved), key: 'shelved_at', deleted: 0 },
        select: ['instance_uuid', 'value'],
      });
      meta.forEach((m) => m.value !== null && shelvedAt.set(m.instance_uuid, m.value));
    }
    return rows.map((r) => ({
      uuid: r.uuid,
      vm_state: r.vm_state,
      task_state: r.task_state,
      power_state: r.power_state,
      deleted_at: r.deleted_at ? r.deleted_at.toISOString() : null,
      shelved_at: shelvedAt.get(r.uuid) ?? null,
    }));
  }

  private async nodeReport(node: ComputeNodeReport): Promise<void> {
    const reports = new HostReports(await this.ds());
    const key = `${node.host}\0${node.hypervisor_hostname}`;
    const written = await reports.computeNode(
      node,
      () => this.computeServiceId(node.host, reports),
      this.nodes.get(key),
      NODE_REFRESH_MS,
    );
    this.nodes.set(key, written);
    await syncProvider(this.placement, this.config, this.inventories, written.uuid, node);
    if (this.hostReports) {
      const fingerprint = JSON.stringify(node);
      const changed = this.reported.get(node.host) !== fingerprint;
      this.reported.set(node.host, fingerprint);
      const at = Date.now();
      await publishHostReport(this.hostReports, {
        cell: this.cell.uuid,
        host: node.host,
        changed,
        at,
      });
    }
  }

  /** The id of the host's nova-compute service row (registered if the heartbeat before was missed). */
  private async computeServiceId(host: string, reports: HostReports): Promise<number> {
    const services = (await this.db()).services;
    const found = await services.findByHostAndBinary(host, 'nova-compute');
    if (found) {
      return found.id;
    }
    await reports.heartbeat(host, 'nova-compute', 'compute');
    return (await services.findByHostAndBinary(host, 'nova-compute'))!.id;
  }

  /** A compute's service row was missing (deleted, or first start): write its nodes at the next report. */
  private forgetNodes(host: string): void {
    for (const key of this.nodes.keys()) {
      if (key.startsWith(`${host}\0`)) {
        this.nodes.delete(key);
      }
    }
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
      builds.inc({ outcome: 'rescheduled' });
      if (this.ports) {
        await this.ports.bind(ctx, uuid, next.host);
      }
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
    builds.inc({ outcome: 'error' });
    log.warn({ uuid, host, reason }, 'build failed on every host tried');
  }

  /**
   * A build its host gave up on for good (Nova's BuildAbortException): no
   * reschedule; the claim and the ports go, the instance is ERROR with the reason.
   */
  private async buildAborted(
    ctx: RequestContext,
    host: string,
    build: WireBuild,
    reason: string,
  ): Promise<void> {
    const uuid = build.instance_uuid;
    const writer = (await this.db()).writer;
    await this.placement.release(uuid);
    if (this.ports) {
      await this.ports
        .deallocateRecorded(ctx, uuid, build.vifs)
        .catch((err: unknown) =>
          log.error({ uuid, err: describeError(err) }, 'could not release the ports'),
        );
      await writer.setNetworkInfo(uuid, []);
    }
    try {
      await writer.compareAndSwap(uuid, [TaskState.SPAWNING, null], {
        vm_state: VmState.ERROR,
        task_state: null,
      });
    } catch (err) {
      log.info({ uuid, err: describeError(err) }, 'instance changed before its abort (deleted?)');
      return;
    }
    await writer.addFault(uuid, 500, `Build of instance ${uuid} aborted: ${reason}`, null, host);
    builds.inc({ outcome: 'error' });
    log.warn({ uuid, host, reason }, 'build aborted');
  }

  /** The guest is gone: delete the instance, release its resources, queue the mapping for delete. */
  private async destroyed(ctx: RequestContext, uuid: string): Promise<void> {
    const db = await this.db();
    if (this.ports) {
      // Before the row goes, as Nova: a server seen gone has no ports left.
      // Ours deleted, the user's unbound; Neutron failing leaves them to an admin (logged).
      const vifs = await db.servers.networkInfo(uuid);
      await this.ports
        .deallocateRecorded(adminContext(), uuid, vifs)
        .catch((err: unknown) =>
          log.error({ uuid, err: describeError(err) }, 'could not release the ports'),
        );
    }
    // Its resources first: the server reads as gone (404) from the soft delete
    // on, and a quota check then must not still count its cores and instance.
    await this.placement.release(uuid);
    await this.mappings.setQueuedForDelete(uuid, true);
    await db.writer.softDelete(uuid);
    await notifyDeleted(await this.ds(), ctx, uuid);
    await this.moves.abandonMoves(adminContext(), uuid);
    await this.builds.releaseGlobalRecords(uuid);
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
      builds.inc({ outcome: 'error' });
      log.warn(
        { uuid: instance.uuid, host: instance.host },
        'build stranded on a down host: set to ERROR',
      );
    }
    return stranded.length;
  }
}
