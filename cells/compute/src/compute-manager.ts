import {
  adminContext,
  describeError,
  lastCompletedAuditPeriod,
  type RequestContext,
} from '@nova/common';
import {
  CellConductorClient,
  ComputeClient,
  COMPUTE_RPC_VERSION,
  COMPUTE_TOPIC,
  InstanceNotFound,
  tailLines,
  type ReportedServiceVersions,
  type RpcVersionPins,
  UnexpectedTaskState,
  type ConsoleKind,
  type InstanceOperation,
  type WireBackup,
  type WireBuild,
  type WireRebuild,
  type WireRescue,
  type WireSnapshot,
  type WireUnshelve,
} from '@nova/compute-rpc';
import { PowerState, TaskState, VmState } from '@nova/compute-state';
import type { ImageBackend } from '@nova/images';
import { getLogger } from '@nova/logging';
import { dispatcher, type RpcConsumer, type RpcTransport } from '@nova/rpc';
import type { InstanceSpec, VirtDriver } from '@nova/cells/virt';
import { ComputeMoves } from './compute-moves';
import { configDriveContents, type ConfigDrivePolicy } from './config-drive-contents';
import { consoleEndpoint } from './console-endpoint';
import { ImageActions } from './image-actions';
import { VifEvents } from './vif-events';

const log = getLogger('compute');

/** The action event of a build, as Nova's compute records it. */
const BUILD_EVENT = 'compute_build_and_run_instance';

/**
 * What one operation does: the driver call, the task state it runs under and
 * the state it ends in (none: the state does not change, as for a crash dump).
 */
interface OperationPlan {
  readonly run: (driver: VirtDriver, uuid: string, args: Record<string, unknown>) => Promise<void>;
  readonly during: readonly string[];
  /** deleted_at 'now' starts the reclaim clock of a soft delete; null stops it. */
  readonly after: { vm_state: string; power_state: number; deleted_at?: 'now' | null } | null;
  readonly event: string;
}

const OPERATIONS: Record<
  Exclude<
    InstanceOperation,
    | 'terminate_instance'
    | 'rebuild_instance'
    | 'set_admin_password'
    | 'external_instance_event'
    | 'snapshot_instance'
    | 'backup_instance'
    | 'shelve_instance'
    | 'shelve_offload_instance'
    | 'unshelve_instance'
  >,
  OperationPlan
> = {
  reboot_instance: {
    run: (d, u, a) => d.reboot(u, a.reboot_type === 'HARD' ? 'HARD' : 'SOFT'),
    during: [
      TaskState.REBOOTING,
      TaskState.REBOOTING_HARD,
      TaskState.REBOOT_PENDING,
      TaskState.REBOOT_PENDING_HARD,
    ],
    after: { vm_state: VmState.ACTIVE, power_state: PowerState.RUNNING },
    event: 'compute_reboot_instance',
  },
  stop_instance: {
    run: (d, u) => d.powerOff(u),
    during: [TaskState.POWERING_OFF],
    after: { vm_state: VmState.STOPPED, power_state: PowerState.SHUTDOWN },
    event: 'compute_stop_instance',
  },
  start_instance: {
    run: (d, u) => d.powerOn(u),
    during: [TaskState.POWERING_ON],
    after: { vm_state: VmState.ACTIVE, power_state: PowerState.RUNNING },
    event: 'compute_start_instance',
  },
  pause_instance: {
    run: (d, u) => d.pause(u),
    during: [TaskState.PAUSING],
    after: { vm_state: VmState.PAUSED, power_state: PowerState.PAUSED },
    event: 'compute_pause_instance',
  },
  unpause_instance: {
    run: (d, u) => d.unpause(u),
    during: [TaskState.UNPAUSING],
    after: { vm_state: VmState.ACTIVE, power_state: PowerState.RUNNING },
    event: 'compute_unpause_instance',
  },
  suspend_instance: {
    run: (d, u) => d.suspend(u),
    during: [TaskState.SUSPENDING],
    after: { vm_state: VmState.SUSPENDED, power_state: PowerState.SUSPENDED },
    event: 'compute_suspend_instance',
  },
  resume_instance: {
    run: (d, u) => d.resume(u),
    during: [TaskState.RESUMING],
    after: { vm_state: VmState.ACTIVE, power_state: PowerState.RUNNING },
    event: 'compute_resume_instance',
  },
  rescue_instance: {
    run: (d, u, a) => {
      const r = a['rescue'] as WireRescue;
      return d.rescue(u, {
        image: { id: r.rescue_image.id, name: r.rescue_image.name },
        adminPassword: r.admin_password,
        instance: instanceSpec(r),
      });
    },
    during: [TaskState.RESCUING],
    after: { vm_state: VmState.RESCUED, power_state: PowerState.RUNNING },
    event: 'compute_rescue_instance',
  },
  unrescue_instance: {
    run: (d, u) => d.unrescue(u),
    during: [TaskState.UNRESCUING],
    after: { vm_state: VmState.ACTIVE, power_state: PowerState.RUNNING },
    event: 'compute_unrescue_instance',
  },
  trigger_crash_dump: {
    run: (d, u) => d.injectNmi(u),
    during: [],
    after: null,
    event: 'compute_trigger_crash_dump',
  },
  inject_network_info: {
    // Nothing to push into a guest on the flat network: its addresses do not change.
    run: async (d, u) => {
      await d.powerState(u);
    },
    during: [],
    after: null,
    event: 'compute_inject_network_info',
  },
  soft_delete_instance: {
    run: (d, u) => d.powerOff(u),
    during: [TaskState.SOFT_DELETING],
    after: {
      vm_state: VmState.SOFT_DELETED,
      power_state: PowerState.SHUTDOWN,
      deleted_at: 'now',
    },
    event: 'compute_soft_delete_instance',
  },
  restore_instance: {
    run: (d, u) => d.powerOn(u),
    during: [TaskState.RESTORING],
    after: { vm_state: VmState.ACTIVE, power_state: PowerState.RUNNING, deleted_at: null },
    event: 'compute_restore_instance',
  },
};

/** The driver's view of an instance being rebuilt or rescued. */
function instanceSpec(w: WireRebuild | WireRescue): InstanceSpec {
  return {
    uuid: w.instance_uuid,
    name: w.instance_name,
    vcpus: w.flavor.vcpus,
    memoryMb: w.flavor.memory_mb,
    rootGb: w.flavor.root_gb,
    ephemeralGb: w.flavor.ephemeral_gb,
    image: {
      id: w.image.id,
      ...(w.image.name ? { name: w.image.name } : {}),
      properties: w.image.properties,
    },
    userData: 'user_data' in w ? w.user_data : null,
    keyData: 'key_data' in w ? w.key_data : null,
    networks: w.vifs.map((v) => ({ address: v.address, mac: v.mac })),
  };
}

export interface ComputeManagerOptions {
  readonly host: string;
  /**
   * The version caps of this host's messages (`[upgrade_levels]`), and where
   * the cell's lowest service versions its heartbeats are answered with go
   * (for `auto`). Default: unpinned.
   */
  readonly upgradeLevels?: { pins: RpcVersionPins; reported: ReportedServiceVersions };
  readonly reportIntervalMs: number;
  readonly powerSyncIntervalMs: number;
  readonly rpcTimeoutMs: number;
  /** `[DEFAULT] reclaim_instance_interval` in ms: soft-deleted instances older than it go; 0 = never. */
  readonly reclaimIntervalMs?: number;
  /** Where snapshots go (Glance or the local catalog); none: image actions fail. */
  readonly images?: ImageBackend;
  /** `[DEFAULT] shelved_offload_time` (seconds; 0 at once, -1 never). Default 0. */
  readonly shelvedOffloadTime?: number;
  /** `[DEFAULT] shelved_poll_interval` (seconds; 0: every 60, -1 never). Default 3600. */
  readonly shelvedPollInterval?: number;
  /** `[DEFAULT] instance_usage_audit_period` when `instance_usage_audit` is on. */
  readonly usageAuditPeriod?: string;
  /** When and how guests get config drives (none without it). */
  readonly configDrive?: ConfigDrivePolicy;
  /** `[DEFAULT] vif_plugging_timeout` in ms: how long a build waits for its ports; 0 not at all. */
  readonly vifPluggingTimeoutMs?: number;
  /** `[DEFAULT] vif_plugging_is_fatal`: a build whose ports did not plug fails (default true). */
  readonly vifPluggingIsFatal?: boolean;
}

/** Nova's VirtualInterfaceCreateException: the build is aborted, not rescheduled. */
class VifPlugFailed extends Error {
  constructor() {
    super('Virtual Interface creation failed');
  }
}

/** Nova runs its periodic tasks every 60 seconds by default (a poll interval of 0). */
const DEFAULT_PERIODIC_SECONDS = 60;

/** How often a compute asks for its usage audit (once per period is recorded). */
const USAGE_AUDIT_CHECK_MS = 60_000;

/**
 * One compute host: consumes `compute.<host>` on its cell's queue, drives the
 * hypervisor, and writes state only through the cell conductor, each write a
 * compare-and-swap on the task state the operation started from.
 */
export class ComputeManager {
  private readonly conductor: CellConductorClient;
  private readonly moves: ComputeMoves;
  private readonly imageActions: ImageActions;
  private consumer?: RpcConsumer;
  private readonly vifEvents = new VifEvents();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly mq: RpcTransport,
    private readonly driver: VirtDriver,
    private readonly options: ComputeManagerOptions,
  ) {
    const pins = options.upgradeLevels?.pins;
    this.conductor = new CellConductorClient(mq, options.rpcTimeoutMs, pins);
    this.moves = new ComputeMoves(
      options.host,
      driver,
      this.conductor,
      new ComputeClient(mq, options.rpcTimeoutMs, pins),
      options.configDrive ?? null,
    );
    this.imageActions = new ImageActions(driver, this.conductor, options.images ?? null, {
      host: options.host,
      shelvedOffloadTime: options.shelvedOffloadTime ?? 0,
      ...(options.configDrive ? { configDrive: options.configDrive } : {}),
    });
  }

  get host(): string {
    return this.options.host;
  }

  async start(): Promise<void> {
    await this.driver.init(this.host);
    await this.report();
    await this.moves
      .destroyEvacuatedInstances()
      .catch((err: unknown) =>
        log.warn({ host: this.host, err: describeError(err) }, 'could not clean up evacuations'),
      );
    const methods = {
      ...this.moves.methods(),
      build_and_run_instance: (ctx: RequestContext, a: { build: WireBuild }) =>
        this.build(ctx, a.build),
      terminate_instance: (ctx: RequestContext, a: { instance_uuid: string }) =>
        this.terminate(ctx, a.instance_uuid),
      get_console_output: async (
        _ctx: RequestContext,
        a: { instance_uuid: string; tail_length?: number | null },
      ) => tailLines(await this.driver.consoleOutput(a.instance_uuid), a.tail_length ?? null),
      get_diagnostics: (_ctx: RequestContext, a: { instance_uuid: string }) =>
        this.driver.diagnostics(a.instance_uuid),
      get_host_uptime: () => this.driver.hostUptime(),
      get_console_endpoint: (
        _ctx: RequestContext,
        a: { instance_uuid: string; kind: ConsoleKind },
      ) => consoleEndpoint(this.driver, a.instance_uuid, a.kind),
      rebuild_instance: (ctx: RequestContext, a: { instance_uuid: string; rebuild: WireRebuild }) =>
        this.rebuild(ctx, a.rebuild),
      external_instance_event: (
        ctx: RequestContext,
        a: { instance_uuid: string; event: { name: string; status: string; tag: string | null } },
      ) => this.externalEvent(ctx, a.instance_uuid, a.event),
      set_admin_password: (
        ctx: RequestContext,
        a: { instance_uuid: string; admin_password: string },
      ) => this.setAdminPassword(ctx, a.instance_uuid, a.admin_password),
      snapshot_instance: (
        ctx: RequestContext,
        a: { instance_uuid: string; snapshot: WireSnapshot },
      ) => this.imageActions.snapshot(ctx, a.instance_uuid, a.snapshot),
      backup_instance: (ctx: RequestContext, a: { instance_uuid: string; backup: WireBackup }) =>
        this.imageActions.backup(ctx, a.instance_uuid, a.backup),
      shelve_instance: (
        ctx: RequestContext,
        a: { instance_uuid: string; snapshot: WireSnapshot },
      ) => this.imageActions.shelve(ctx, a.instance_uuid, a.snapshot),
      shelve_offload_instance: (ctx: RequestContext, a: { instance_uuid: string }) =>
        this.imageActions.shelveOffload(ctx, a.instance_uuid),
      unshelve_instance: (
        ctx: RequestContext,
        a: { instance_uuid: string; unshelve: WireUnshelve },
      ) => this.imageActions.unshelve(ctx, a.instance_uuid, a.unshelve),
      ...Object.fromEntries(
        Object.entries(OPERATIONS).map(([name, plan]) => [
          name,
          (ctx: RequestContext, a: { instance_uuid: string }) =>
            this.operate(ctx, plan, a.instance_uuid, a),
        ]),
      ),
    };
    this.consumer = await this.mq.serve(
      { topic: COMPUTE_TOPIC, server: this.host },
      dispatcher(methods, { version: COMPUTE_RPC_VERSION }),
      {
        prefetch: 64,
      },
    );
    this.every(this.options.reportIntervalMs, () => this.report());
    if (this.options.powerSyncIntervalMs > 0) {
      this.every(this.options.powerSyncIntervalMs, () => this.syncPowerStates());
    }
    const reclaim = this.options.reclaimIntervalMs ?? 0;
    if (reclaim > 0) {
      // Checked more often than the interval, so a server goes close to its time.
      this.every(Math.max(1000, Math.floor(reclaim / 4)), () => this.reclaimQueuedDeletes(reclaim));
    }
    const poll = this.options.shelvedPollInterval ?? 3600;
    if ((this.options.shelvedOffloadTime ?? 0) > 0 && poll >= 0) {
      this.every((poll === 0 ? DEFAULT_PERIODIC_SECONDS : poll) * 1000, () =>
        this.imageActions.offloadDue(),
      );
    }
    const audit = this.options.usageAuditPeriod;
    if (audit !== undefined) {
      void this.auditUsage(audit);
      this.every(USAGE_AUDIT_CHECK_MS, () => this.auditUsage(audit));
    }
    log.info({ host: this.host, driver: this.driver.type }, 'compute host started');
  }

  async stop(): Promise<void> {
    this.timers.forEach(clearInterval);
    await this.consumer?.stop();
    await this.driver.close();
  }

  /** Heartbeat and resources, through the conductor (which maps nothing: discover_hosts does). */
  async report(): Promise<void> {
    const ctx = adminContext();
    try {
      const reply = await this.conductor.serviceReport(ctx, this.host, 'nova-compute');
      this.options.upgradeLevels?.reported.update(reply.min_versions);
      const r = await this.driver.hostResources();
      await this.conductor.computeNodeReport(ctx, {
        host: this.host,
        hypervisor_hostname: r.hypervisorHostname,
        hypervisor_type: r.hypervisorType,
        hypervisor_version: r.hypervisorVersion,
        vcpus: r.vcpus,
        memory_mb: r.memoryMb,
        local_gb: r.localGb,
        cpu_info: JSON.stringify(r.cpuInfo),
        host_ip: r.hostIp,
      });
    } catch (err) {
      log.warn(
        { host: this.host, err: describeError(err) },
        'service report failed; retrying next interval',
      );
    }
  }

  private async build(ctx: RequestContext, build: WireBuild): Promise<void> {
    const uuid = build.instance_uuid;
    // Expected before anything happens: Neutron may tell before the guest is up.
    const portIds = [...new Set(build.vifs.flatMap((v) => (v.port_id ? [v.port_id] : [])))];
    const vifTimeout = this.options.vifPluggingTimeoutMs ?? 0;
    const vifsPlugged =
      vifTimeout > 0 && portIds.length > 0 ? this.vifEvents.expect(uuid, portIds) : null;
    // The event and the move to spawning: one call to the conductor.
    const started = await this.conductor
      .instanceUpdate(
        ctx,
        uuid,
        [null, TaskState.SCHEDULING],
        { task_state: TaskState.SPAWNING },
        { event: BUILD_EVENT, host: this.host, result: 'start' },
      )
      .then(
        () => true,
        (err: unknown) => {
          if (err instanceof UnexpectedTaskState || err instanceof InstanceNotFound) {
            return false;
          }
          throw err;
        },
      );
    if (!started) {
      this.vifEvents.forget(uuid);
      log.info({ uuid }, 'instance deleted before its build started');
      return;
    }
    let configDrive: InstanceSpec['configDrive'];
    try {
      configDrive = this.configDrive(build);
      await this.driver.spawn({
        uuid,
        name: build.instance_name,
        vcpus: build.flavor.vcpus,
        memoryMb: build.flavor.memory_mb,
        rootGb: build.flavor.root_gb,
        ephemeralGb: build.flavor.ephemeral_gb,
        image: {
          id: build.image.id,
          ...(build.image.name ? { name: build.image.name } : {}),
          properties: build.image.properties,
        },
        userData: build.user_data,
        keyData: build.key_data,
        networks: build.vifs.map((v) => ({ address: v.address, mac: v.mac })),
        ...(configDrive ? { configDrive } : {}),
      });
      if (vifsPlugged) {
        await this.waitForVifs(uuid, vifsPlugged, vifTimeout);
      }
    } catch (err) {
      this.vifEvents.forget(uuid);
      const reason = describeError(err);
      const abort = err instanceof VifPlugFailed;
      log.warn(
        { uuid, host: this.host, err: reason },
        abort
          ? 'ports not plugged: build aborted'
          : 'spawn failed; asking the conductor to reschedule',
      );
      await this.driver.destroy(uuid).catch(() => undefined);
      await this.conductor.actionEvent(ctx, uuid, BUILD_EVENT, this.host, 'Error', reason);
      await this.conductor.buildFailed(ctx, this.host, build, reason, abort);
      return;
    }
    try {
      await this.conductor.instanceUpdate(
        ctx,
        uuid,
        [TaskState.SPAWNING],
        {
          vm_state: VmState.ACTIVE,
          task_state: null,
          power_state: await this.driver.powerState(uuid),
          launched_at: new Date().toISOString(),
          // A drive the host or the image required shows on the server as one asked for.
          ...(configDrive ? { config_drive: 'True' } : {}),
        },
        { event: BUILD_EVENT, host: this.host, result: 'Success' },
      );
    } catch (err) {
      if (err instanceof UnexpectedTaskState || err instanceof InstanceNotFound) {
        // Deleted while spawning: the delete owns the instance now; drop the guest.
        await this.driver.destroy(uuid).catch(() => undefined);
        return;
      }
      throw err;
    }
  }

  /** Nova's _neutron_failed_callback: fatal (abort the build) or a warning. */
  private async waitForVifs(
    uuid: string,
    plugged: (timeoutMs: number) => Promise<string>,
    timeoutMs: number,
  ): Promise<void> {
    const outcome = await plugged(timeoutMs);
    if (outcome === 'plugged') {
      return;
    }
    if (this.options.vifPluggingIsFatal ?? true) {
      throw new VifPlugFailed();
    }
    log.warn({ uuid, outcome }, 'network-vif-plugged did not come; going on (not fatal)');
  }

  private async terminate(ctx: RequestContext, uuid: string): Promise<void> {
    await this.conductor.actionEvent(ctx, uuid, 'compute_terminate_instance', this.host, 'start');
    await this.driver.destroy(uuid);
    await this.conductor.actionEvent(ctx, uuid, 'compute_terminate_instance', this.host, 'Success');
    await this.conductor.instanceDestroyed(ctx, uuid);
  }

  private async operate(
    ctx: RequestContext,
    plan: OperationPlan,
    uuid: string,
    args: Record<string, unknown>,
  ): Promise<void> {
    await this.conductor.actionEvent(ctx, uuid, plan.event, this.host, 'start');
    try {
      await plan.run(this.driver, uuid, args);
    } catch (err) {
      const reason = describeError(err);
      log.warn({ uuid, event: plan.event, err: reason }, 'instance operation failed');
      await this.conductor.actionEvent(ctx, uuid, plan.event, this.host, 'Error', reason);
      // Back to idle with the hypervisor's view of the power state (Nova reverts the task state).
      if (plan.during.length > 0) {
        await this.conductor
          .instanceUpdate(ctx, uuid, plan.during, {
            task_state: null,
            power_state: await this.driver.powerState(uuid),
          })
          .catch(() => undefined);
      }
      return;
    }
    try {
      if (plan.after) {
        const after = plan.after;
        await this.conductor.instanceUpdate(ctx, uuid, plan.during, {
          ...after,
          ...(after.deleted_at === 'now' ? { deleted_at: new Date().toISOString() } : {}),
          task_state: null,
        });
      }
      await this.conductor.actionEvent(ctx, uuid, plan.event, this.host, 'Success');
    } catch (err) {
      if (!(err instanceof UnexpectedTaskState || err instanceof InstanceNotFound)) {
        throw err;
      }
      log.info({ uuid, event: plan.event }, 'instance changed while the operation ran (deleted?)');
    }
  }

  /**
   * Nova's rebuild on the same host: the guest goes and comes back from the
   * (new) image; a stopped server is stopped again, as Nova leaves it.
   */
  private async rebuild(ctx: RequestContext, rebuild: WireRebuild): Promise<void> {
    const uuid = rebuild.instance_uuid;
    const event = 'compute_rebuild_instance';
    await this.conductor.actionEvent(ctx, uuid, event, this.host, 'start');
    try {
      await this.conductor.instanceUpdate(ctx, uuid, [TaskState.REBUILDING], {
        task_state: TaskState.REBUILD_SPAWNING,
      });
    } catch (err) {
      if (err instanceof UnexpectedTaskState || err instanceof InstanceNotFound) {
        log.info({ uuid }, 'instance changed before its rebuild started (deleted?)');
        return;
      }
      throw err;
    }
    let configDrive: InstanceSpec['configDrive'];
    try {
      configDrive = this.configDrive(rebuild);
      await this.driver.destroy(uuid);
      await this.driver.spawn({
        ...instanceSpec(rebuild),
        ...(configDrive ? { configDrive } : {}),
      });
      if (rebuild.was_stopped) {
        await this.driver.powerOff(uuid);
      }
    } catch (err) {
      const reason = describeError(err);
      log.warn({ uuid, err: reason }, 'rebuild failed');
      await this.conductor.actionEvent(ctx, uuid, event, this.host, 'Error', reason);
      await this.conductor
        .instanceUpdate(ctx, uuid, [TaskState.REBUILD_SPAWNING], {
          vm_state: VmState.ERROR,
          task_state: null,
          power_state: await this.driver.powerState(uuid),
        })
        .catch(() => undefined);
      return;
    }
    try {
      await this.conductor.instanceUpdate(ctx, uuid, [TaskState.REBUILD_SPAWNING], {
        vm_state: rebuild.was_stopped ? VmState.STOPPED : VmState.ACTIVE,
        task_state: null,
        power_state: await this.driver.powerState(uuid),
        launched_at: new Date().toISOString(),
        ...(configDrive ? { config_drive: 'True' } : {}),
      });
      await this.conductor.actionEvent(ctx, uuid, event, this.host, 'Success');
    } catch (err) {
      if (!(err instanceof UnexpectedTaskState || err instanceof InstanceNotFound)) {
        throw err;
      }
      log.info({ uuid }, 'instance changed while it was rebuilt (deleted?)');
    }
  }

  /**
   * changePassword: the guest agent sets it; a guest that posts its password
   * back (encrypted with the instance's key, as cloud-init and cloudbase-init
   * do to the metadata service) has it kept for os-server-password.
   */
  private async setAdminPassword(ctx: RequestContext, uuid: string, password: string) {
    const event = 'compute_set_admin_password';
    await this.conductor.actionEvent(ctx, uuid, event, this.host, 'start');
    let posted: string | null;
    try {
      posted = await this.driver.setAdminPassword(uuid, password);
    } catch (err) {
      const reason = describeError(err);
      log.warn({ uuid, err: reason }, 'setting the admin password failed');
      await this.conductor.actionEvent(ctx, uuid, event, this.host, 'Error', reason);
      await this.conductor
        .instanceUpdate(ctx, uuid, [TaskState.UPDATING_PASSWORD], { task_state: null })
        .catch(() => undefined);
      return;
    }
    if (posted !== null) {
      await this.conductor.setPassword(ctx, uuid, posted);
    }
    await this.conductor
      .instanceUpdate(ctx, uuid, [TaskState.UPDATING_PASSWORD], { task_state: null })
      .catch((err: unknown) =>
        log.info({ uuid, err: describeError(err) }, 'password set; state moved on'),
      );
    await this.conductor.actionEvent(ctx, uuid, event, this.host, 'Success');
  }

  /**
   * An event from another service (os-server-external-events). A power-update
   * (2.76) says what the hypervisor now does; a network-vif-plugged event
   * (tag: the port) ends a build's wait for it; other events are taken note of.
   */
  private async externalEvent(
    ctx: RequestContext,
    uuid: string,
    event: { name: string; status: string; tag: string | null },
  ): Promise<void> {
    log.info({ uuid, event: event.name, status: event.status, tag: event.tag }, 'external event');
    const name = `compute_external_instance_event`;
    await this.conductor.actionEvent(ctx, uuid, name, this.host, 'start');
    if (event.name === 'network-vif-plugged') {
      this.vifEvents.deliver(uuid, event.tag, event.status);
    }
    if (event.name === 'power-update' && (event.tag === 'POWER_ON' || event.tag === 'POWER_OFF')) {
      const on = event.tag === 'POWER_ON';
      await this.conductor
        .instanceUpdate(ctx, uuid, [null], {
          vm_state: on ? VmState.ACTIVE : VmState.STOPPED,
          power_state: on ? PowerState.RUNNING : PowerState.SHUTDOWN,
        })
        .catch((err: unknown) =>
          log.info({ uuid, err: describeError(err) }, 'power update skipped'),
        );
    }
    await this.conductor.actionEvent(ctx, uuid, name, this.host, 'Success');
  }

  /** The config drive's files when the instance gets one (a fresh drive on every (re)build). */
  private configDrive(w: WireBuild | WireRebuild): InstanceSpec['configDrive'] {
    return this.options.configDrive ? configDriveContents(w, this.options.configDrive) : undefined;
  }

  /** Nova's _reclaim_queued_deletes: soft-deleted instances older than the interval go for good. */
  async reclaimQueuedDeletes(intervalMs: number): Promise<void> {
    const ctx = adminContext();
    const due = Date.now() - intervalMs;
    for (const instance of await this.conductor.instancesOnHost(ctx, this.host)) {
      if (
        instance.vm_state !== VmState.SOFT_DELETED ||
        instance.task_state !== null ||
        (instance.deleted_at !== null && Date.parse(instance.deleted_at) > due)
      ) {
        continue;
      }
      try {
        await this.conductor.instanceUpdate(ctx, instance.uuid, [null], {
          task_state: TaskState.DELETING,
        });
      } catch {
        continue; // restored or deleted meanwhile
      }
      log.info({ uuid: instance.uuid }, 'reclaiming a soft-deleted instance');
      await this.driver.destroy(instance.uuid);
      await this.conductor.instanceDestroyed(ctx, instance.uuid);
    }
  }

  /** Nova's _instance_usage_audit: the last completed period, once (the conductor records it). */
  async auditUsage(period: string): Promise<void> {
    try {
      const ran = await this.conductor.instanceUsageAudit(
        adminContext(),
        this.host,
        lastCompletedAuditPeriod(period),
      );
      if (ran) {
        log.info({ host: this.host, period }, 'instance usage audit recorded');
      }
    } catch (err) {
      log.warn({ host: this.host, err: describeError(err) }, 'instance usage audit failed');
    }
  }

  /** Nova's _sync_power_states: record what the hypervisor says for idle instances. */
  async syncPowerStates(): Promise<void> {
    const ctx = adminContext();
    const instances = await this.conductor.instancesOnHost(ctx, this.host);
    for (const instance of instances) {
      if (instance.task_state !== null) {
        continue;
      }
      const power = await this.driver.powerState(instance.uuid);
      if (power === instance.power_state) {
        continue;
      }
      const stopped =
        instance.vm_state === VmState.ACTIVE &&
        (power === PowerState.SHUTDOWN || power === PowerState.NOSTATE);
      await this.conductor
        .instanceUpdate(ctx, instance.uuid, [null], {
          power_state: power,
          ...(stopped ? { vm_state: VmState.STOPPED } : {}),
        })
        .catch((err: unknown) =>
          log.info({ uuid: instance.uuid, err: describeError(err) }, 'power sync skipped'),
        );
    }
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const timer = setInterval(
      () =>
        void fn().catch((err: unknown) =>
          log.warn({ err: describeError(err) }, 'periodic task failed'),
        ),
      ms,
    );
    timer.unref();
    this.timers.push(timer);
  }
}
