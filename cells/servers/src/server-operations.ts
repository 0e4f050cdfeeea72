import { Inject, Injectable } from '@nestjs/common';
import { CellRouter, isCell0, type CellContext } from '@nova/cell-router';
import { cellDb } from '@nova/cells/db';
import { isServiceUp } from '@nova/cells/hosts';
import { Conflict, describeError, type RequestContext } from '@nova/common';
import {
  ComputeClient,
  FINAL_MIGRATION_STATUSES,
  tailLines,
  UnexpectedTaskState,
  type InstanceOperation,
  type WireRescue,
} from '@nova/compute-rpc';
import {
  checkActionAllowed,
  InstanceInvalidState,
  TaskState,
  VmState,
  type ServerAction,
} from '@nova/compute-state';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { createNeutronPorts, type NeutronPorts } from '@nova/network';
import { PlacementService } from '@nova/placement';
import {
  BuildRequests,
  type Caller,
  type ExternalEvent,
  type ServerDiagnostics,
  type ServerOperation,
  type ServerRecord,
  vifsOf,
} from '@nova/servers';
import { instanceNotFound, ServerLookup } from './server-lookup';

const log = getLogger('api.servers');

/**
 * Per API operation: its state rule, the task state it runs under (null: it
 * changes no state, as a crash dump), the compute method, the action name.
 */
const PLANS: Record<
  ServerOperation['kind'] | 'rebootHard',
  { rule: ServerAction; task: string | null; method: InstanceOperation; action: string }
> = {
  reboot: {
    rule: 'rebootSoft',
    task: TaskState.REBOOTING,
    method: 'reboot_instance',
    action: 'reboot',
  },
  rebootHard: {
    rule: 'rebootHard',
    task: TaskState.REBOOTING_HARD,
    method: 'reboot_instance',
    action: 'reboot',
  },
  stop: { rule: 'stop', task: TaskState.POWERING_OFF, method: 'stop_instance', action: 'stop' },
  start: { rule: 'start', task: TaskState.POWERING_ON, method: 'start_instance', action: 'start' },
  pause: { rule: 'pause', task: TaskState.PAUSING, method: 'pause_instance', action: 'pause' },
  unpause: {
    rule: 'unpause',
    task: TaskState.UNPAUSING,
    method: 'unpause_instance',
    action: 'unpause',
  },
  suspend: {
    rule: 'suspend',
    task: TaskState.SUSPENDING,
    method: 'suspend_instance',
    action: 'suspend',
  },
  resume: { rule: 'resume', task: TaskState.RESUMING, method: 'resume_instance', action: 'resume' },
  rescue: { rule: 'rescue', task: TaskState.RESCUING, method: 'rescue_instance', action: 'rescue' },
  unrescue: {
    rule: 'unrescue',
    task: TaskState.UNRESCUING,
    method: 'unrescue_instance',
    action: 'unrescue',
  },
  changePassword: {
    rule: 'changePassword',
    task: TaskState.UPDATING_PASSWORD,
    method: 'set_admin_password',
    action: 'changePassword',
  },
  crashDump: {
    rule: 'crashDump',
    task: null,
    method: 'trigger_crash_dump',
    action: 'trigger_crash_dump',
  },
  injectNetworkInfo: {
    rule: 'injectNetworkInfo',
    task: null,
    method: 'inject_network_info',
    action: 'inject_network_info',
  },
  restore: {
    rule: 'restore',
    task: TaskState.RESTORING,
    method: 'restore_instance',
    action: 'restore',
  },
};

/** What the compute method needs besides the instance uuid. */
function castArgs(op: ServerOperation, server: ServerRecord): Record<string, unknown> {
  if (op.kind === 'reboot') {
    return { reboot_type: op.type };
  }
  if (op.kind === 'changePassword') {
    return { admin_password: op.adminPassword };
  }
  if (op.kind === 'rescue') {
    const rescue: WireRescue = {
      instance_uuid: server.uuid,
      instance_name: server.instance_name ?? server.uuid,
      flavor: server.flavor,
      image: op.image,
      rescue_image: op.rescueImage,
      vifs: vifsOf(server),
      admin_password: op.adminPassword,
    };
    return { rescue };
  }
  return {};
}

/** A lost compare-and-swap is Nova's 409 on the state it found. */
export async function swapOr409(
  server: ServerRecord,
  action: string,
  write: () => Promise<void>,
): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (err instanceof UnexpectedTaskState) {
      log.info({ uuid: server.uuid, err: describeError(err) }, 'lost a task-state race');
      throw new InstanceInvalidState(
        `Cannot '${action}' instance ${server.uuid} while it is in task_state ${String(
          (err.kwargs['actual'] as string | null | undefined) ?? 'None',
        )}`,
      );
    }
    throw err;
  }
}

/** Nova's 409 for acting on a server that is not on a host yet. */
export class InstanceNotReady extends Conflict {
  constructor(uuid: string) {
    super(`Instance ${uuid} is not ready`, { instance_uuid: uuid });
  }
}

/**
 * Server actions: check the state (409 as Nova), move the task state by
 * compare-and-swap from the one just read (so of two racing actions one gets
 * 409), record the instance action, cast to the host.
 */
@Injectable()
export class ServerOperations {
  constructor(
    private readonly router: CellRouter,
    private readonly lookup: ServerLookup,
    private readonly builds: BuildRequests,
    private readonly placement: PlacementService,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {
    this.ports = createNeutronPorts(config)?.ports ?? null;
  }

  /** Neutron mode: the servers' ports (null on the flat network). */
  private readonly ports: NeutronPorts | null;

  async operate(
    ctx: RequestContext,
    server: ServerRecord,
    op: ServerOperation,
    caller: Caller,
  ): Promise<void> {
    const plan = PLANS[op.kind === 'reboot' && op.type === 'HARD' ? 'rebootHard' : op.kind];
    checkActionAllowed(plan.rule, server, caller.isAdmin);
    if (!server.host) {
      throw new InstanceNotReady(server.uuid);
    }
    const cctx = await this.lookup.cellOf(ctx, server);
    const db = await cellDb(cctx);
    const task = plan.task;
    if (task !== null) {
      await this.swap(server, plan.action, () =>
        db.writer.compareAndSwap(server.uuid, [server.task_state], { task_state: task }),
      );
    }
    await db.writer.startAction(ctx, server.uuid, plan.action);
    await (
      await this.compute(cctx)
    ).operate(ctx, server.host, plan.method, server.uuid, castArgs(op, server));
  }

  /**
   * Delete in any state. A build request is dropped (the conductor undoes a
   * build it races with); an instance with no host (cell0) or on a host that
   * is down is deleted here; otherwise the host terminates it.
   */
  async delete(
    ctx: RequestContext,
    server: ServerRecord,
    caller: Caller,
    options: { force?: boolean } = {},
  ): Promise<void> {
    checkActionAllowed(options.force ? 'forceDelete' : 'delete', server, caller.isAdmin);
    if (!options.force && this.config.DEFAULT.reclaim_instance_interval > 0 && server.cell_uuid) {
      if (server.vm_state === VmState.SOFT_DELETED) {
        return; // already waiting to be reclaimed
      }
      if (await this.softDelete(ctx, server, caller)) {
        return;
      }
    }
    if (!server.cell_uuid) {
      if (await this.builds.delete(server.uuid)) {
        await this.router.mappings.setQueuedForDelete(server.uuid, true);
        await this.placement.release(server.uuid);
        await this.builds.leaveGroups(server.uuid); // its request spec stays: a batch reads the first
        return;
      }
      // Built meanwhile: delete it where it now lives.
      await this.router.mappings.forget(server.uuid);
      const current = await this.lookup.find(ctx, server.uuid);
      if (!('vm_state' in current)) {
        throw new InstanceNotReady(server.uuid);
      }
      return this.delete(ctx, current, caller);
    }
    if (server.task_state === TaskState.DELETING) {
      return; // already on its way (Nova answers 204 again)
    }
    const cctx = await this.lookup.cellOf(ctx, server);
    const db = await cellDb(cctx);
    const host = server.host;
    if (isCell0(cctx.cell.mapping) || host === null || !(await this.hostUp(cctx, host))) {
      await db.writer.startAction(ctx, server.uuid, 'delete');
      await this.localDelete(cctx, server.uuid);
      return;
    }
    try {
      await db.writer.compareAndSwap(server.uuid, [server.task_state], {
        task_state: TaskState.DELETING,
      });
    } catch (err) {
      if (!(err instanceof UnexpectedTaskState)) {
        throw err;
      }
      // Another action moved the task state first; delete wins over it from the new state.
      const current = await this.lookup.find(ctx, server.uuid);
      if (!('vm_state' in current) || current.task_state === server.task_state) {
        throw err;
      }
      return this.delete(ctx, current, caller);
    }
    await db.writer.startAction(ctx, server.uuid, 'delete');
    await (await this.compute(cctx)).operate(ctx, host, 'terminate_instance', server.uuid);
  }

  /**
   * With `[DEFAULT] reclaim_instance_interval`, a delete keeps the server
   * (SOFT_DELETED, powered off, resources still held and counted) until its
   * host reclaims it or `restore` brings it back. False when it cannot be
   * soft-deleted (never launched, cell0): Nova then deletes it for good.
   */
  private async softDelete(
    ctx: RequestContext,
    server: ServerRecord,
    caller: Caller,
  ): Promise<boolean> {
    try {
      checkActionAllowed('softDelete', server, caller.isAdmin);
    } catch (err) {
      if (err instanceof InstanceInvalidState) {
        return false;
      }
      throw err;
    }
    const cctx = await this.lookup.cellOf(ctx, server);
    if (isCell0(cctx.cell.mapping)) {
      return false;
    }
    const db = await cellDb(cctx);
    const host = server.host;
    if (host === null || !(await this.hostUp(cctx, host))) {
      await this.swap(server, 'delete', () =>
        db.writer.compareAndSwap(server.uuid, [server.task_state], {
          vm_state: VmState.SOFT_DELETED,
          task_state: null,
          deleted_at: new Date(),
        }),
      );
      await db.writer.startAction(ctx, server.uuid, 'delete');
      return true;
    }
    await this.swap(server, 'delete', () =>
      db.writer.compareAndSwap(server.uuid, [server.task_state], {
        task_state: TaskState.SOFT_DELETING,
      }),
    );
    await db.writer.startAction(ctx, server.uuid, 'delete');
    await (await this.compute(cctx)).operate(ctx, host, 'soft_delete_instance', server.uuid);
    return true;
  }

  /** os-resetState: what an admin says the state is; nothing is asked of the host (Nova's). */
  async resetState(
    ctx: RequestContext,
    server: ServerRecord,
    state: 'active' | 'error',
  ): Promise<void> {
    if (!server.cell_uuid) {
      throw new InstanceNotReady(server.uuid);
    }
    const db = await cellDb(await this.lookup.cellOf(ctx, server));
    await db.writer.compareAndSwap(server.uuid, 'any', {
      vm_state: state === 'active' ? VmState.ACTIVE : VmState.ERROR,
      task_state: null,
    });
  }

  /** Nova's local delete: the host is gone, so the API cleans up everything itself. */
  private async localDelete(cctx: CellContext, uuid: string): Promise<void> {
    const db = await cellDb(cctx);
    if (this.ports) {
      await this.ports.deallocateRecorded(cctx, uuid, await db.servers.networkInfo(uuid));
    }
    if (!(await db.writer.softDelete(uuid))) {
      throw instanceNotFound(uuid);
    }
    await this.placement.release(uuid);
    // Unfinished moves kept the source allocation under their own uuid.
    for (const m of await db.migrations.forInstance(uuid)) {
      if (m.status === 'done') {
        await this.placement.release(m.uuid); // an evacuation's: its source still cleans up
      } else if (!FINAL_MIGRATION_STATUSES.includes(m.status ?? '')) {
        await this.placement.release(m.uuid);
        await db.migrationWriter.swapStatus(m.uuid, 'any', 'error');
      }
    }
    await this.builds.releaseGlobalRecords(uuid);
    await this.router.mappings.setQueuedForDelete(uuid, true);
  }

  async setLock(
    ctx: RequestContext,
    server: ServerRecord,
    lock: { locked: true; reason: string | null } | { locked: false },
  ): Promise<void> {
    if (!server.cell_uuid) {
      throw new InstanceNotReady(server.uuid);
    }
    const db = await cellDb(await this.lookup.cellOf(ctx, server));
    const lockedBy = ctx.projectId === server.project_id ? 'owner' : 'admin';
    await db.writer.compareAndSwap(server.uuid, 'any', {
      locked: lock.locked,
      locked_by: lock.locked ? lockedBy : null,
    });
    await db.writer.setSystemMetadata(
      server.uuid,
      'locked_reason',
      lock.locked ? lock.reason : null,
    );
    await db.writer.startAction(ctx, server.uuid, lock.locked ? 'lock' : 'unlock');
  }

  async consoleOutput(
    ctx: RequestContext,
    server: ServerRecord,
    length: number | null,
  ): Promise<string> {
    if (!server.host) {
      throw new InstanceNotReady(server.uuid);
    }
    const cctx = await this.lookup.cellOf(ctx, server);
    const output = await (
      await this.compute(cctx)
    ).consoleOutput(ctx, server.host, server.uuid, length);
    return tailLines(output, length);
  }

  /** The driver's diagnostics, from the server's host. */
  async diagnostics(ctx: RequestContext, server: ServerRecord): Promise<ServerDiagnostics> {
    if (!server.host) {
      throw new InstanceNotReady(server.uuid);
    }
    const cctx = await this.lookup.cellOf(ctx, server);
    return (await (
      await this.compute(cctx)
    ).diagnostics(ctx, server.host, server.uuid)) as ServerDiagnostics;
  }

  /** An event for the server's host (Nova's external_instance_event); false without a host. */
  async externalEvent(
    ctx: RequestContext,
    server: ServerRecord,
    event: ExternalEvent,
  ): Promise<boolean> {
    if (!server.host || !server.cell_uuid) {
      return false;
    }
    const cctx = await this.lookup.cellOf(ctx, server);
    await (await cellDb(cctx)).writer.startAction(ctx, server.uuid, 'external_event');
    await (
      await this.compute(cctx)
    ).operate(ctx, server.host, 'external_instance_event', server.uuid, {
      event: { name: event.name, status: event.status, tag: event.tag },
    });
    return true;
  }

  private async hostUp(cctx: CellContext, host: string): Promise<boolean> {
    const service = await (await cellDb(cctx)).services.findByHostAndBinary(host, 'nova-compute');
    return service !== null && isServiceUp(service, this.config.DEFAULT.service_down_time);
  }

  private async compute(cctx: CellContext): Promise<ComputeClient> {
    return new ComputeClient(await cctx.cell.mq(), this.config.DEFAULT.rpc_response_timeout * 1000);
  }

  private swap(server: ServerRecord, action: string, write: () => Promise<void>): Promise<void> {
    return swapOr409(server, action, write);
  }
}
