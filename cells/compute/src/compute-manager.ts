import { adminContext, describeError, type RequestContext } from '@nova/common';
import {
  CellConductorClient,
  COMPUTE_TOPIC,
  InstanceNotFound,
  UnexpectedTaskState,
  type InstanceOperation,
  type WireBuild,
} from '@nova/compute-rpc';
import { PowerState, TaskState, VmState } from '@nova/compute-state';
import { getLogger } from '@nova/logging';
import { dispatcher, type RpcConsumer, type RpcTransport } from '@nova/rpc';
import type { VirtDriver } from '@nova/cells/virt';

const log = getLogger('compute');

/** What one operation does: the driver call, the task state it runs under, the state it ends in. */
interface OperationPlan {
  readonly run: (driver: VirtDriver, uuid: string, args: Record<string, unknown>) => Promise<void>;
  readonly during: readonly string[];
  readonly after: { vm_state: string; power_state: number };
  readonly event: string;
}

const OPERATIONS: Record<Exclude<InstanceOperation, 'terminate_instance'>, OperationPlan> = {
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
};

export interface ComputeManagerOptions {
  readonly host: string;
  readonly reportIntervalMs: number;
  readonly powerSyncIntervalMs: number;
  readonly rpcTimeoutMs: number;
}

/**
 * One compute host: consumes `compute.<host>` on its cell's queue, drives the
 * hypervisor, and writes state only through the cell conductor, each write a
 * compare-and-swap on the task state the operation started from.
 */
export class ComputeManager {
  private readonly conductor: CellConductorClient;
  private consumer?: RpcConsumer;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly mq: RpcTransport,
    private readonly driver: VirtDriver,
    private readonly options: ComputeManagerOptions,
  ) {
    this.conductor = new CellConductorClient(mq, options.rpcTimeoutMs);
  }

  get host(): string {
    return this.options.host;
  }

  async start(): Promise<void> {
    await this.driver.init(this.host);
    await this.report();
    const methods = {
      build_and_run_instance: (ctx: RequestContext, a: { build: WireBuild }) =>
        this.build(ctx, a.build),
      terminate_instance: (ctx: RequestContext, a: { instance_uuid: string }) =>
        this.terminate(ctx, a.instance_uuid),
      get_console_output: (_ctx: RequestContext, a: { instance_uuid: string }) =>
        this.driver.consoleOutput(a.instance_uuid),
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
      dispatcher(methods),
      {
        prefetch: 64,
      },
    );
    this.every(this.options.reportIntervalMs, () => this.report());
    if (this.options.powerSyncIntervalMs > 0) {
      this.every(this.options.powerSyncIntervalMs, () => this.syncPowerStates());
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
      await this.conductor.serviceReport(ctx, this.host, 'nova-compute');
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
    // The event and the move to spawning are independent: one round trip, not two.
    const [, started] = await Promise.all([
      this.conductor.actionEvent(ctx, uuid, 'compute_build_and_run_instance', this.host, 'start'),
      this.conductor
        .instanceUpdate(ctx, uuid, [null, TaskState.SCHEDULING], { task_state: TaskState.SPAWNING })
        .then(
          () => true,
          (err: unknown) => {
            if (err instanceof UnexpectedTaskState || err instanceof InstanceNotFound) {
              return false;
            }
            throw err;
          },
        ),
    ]);
    if (!started) {
      log.info({ uuid }, 'instance deleted before its build started');
      return;
    }
    try {
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
      });
    } catch (err) {
      const reason = describeError(err);
      log.warn(
        { uuid, host: this.host, err: reason },
        'spawn failed; asking the conductor to reschedule',
      );
      await this.driver.destroy(uuid).catch(() => undefined);
      await this.conductor.actionEvent(
        ctx,
        uuid,
        'compute_build_and_run_instance',
        this.host,
        'Error',
        reason,
      );
      await this.conductor.buildFailed(ctx, this.host, build, reason);
      return;
    }
    try {
      await this.conductor.instanceUpdate(ctx, uuid, [TaskState.SPAWNING], {
        vm_state: VmState.ACTIVE,
        task_state: null,
        power_state: await this.driver.powerState(uuid),
        launched_at: new Date().toISOString(),
      });
      await this.conductor.actionEvent(
        ctx,
        uuid,
        'compute_build_and_run_instance',
        this.host,
        'Success',
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
      await this.conductor
        .instanceUpdate(ctx, uuid, plan.during, {
          task_state: null,
          power_state: await this.driver.powerState(uuid),
        })
        .catch(() => undefined);
      return;
    }
    try {
      await this.conductor.instanceUpdate(ctx, uuid, plan.during, {
        ...plan.after,
        task_state: null,
      });
      await this.conductor.actionEvent(ctx, uuid, plan.event, this.host, 'Success');
    } catch (err) {
      if (!(err instanceof UnexpectedTaskState || err instanceof InstanceNotFound)) {
        throw err;
      }
      log.info({ uuid, event: plan.event }, 'instance changed while the operation ran (deleted?)');
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
