import { Inject, Injectable } from '@nestjs/common';
import { CellRouter, isCell0, type CellContext } from '@nova/cell-router';
import { cellDb } from '@nova/cells/db';
import { isServiceUp } from '@nova/cells/hosts';
import { Conflict, describeError, type RequestContext } from '@nova/common';
import { ComputeClient, UnexpectedTaskState, type InstanceOperation } from '@nova/compute-rpc';
import {
  checkActionAllowed,
  InstanceInvalidState,
  TaskState,
  type ServerAction,
} from '@nova/compute-state';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { PlacementService } from '@nova/placement';
import { BuildRequests, type Caller, type ServerOperation, type ServerRecord } from '@nova/servers';
import { instanceNotFound, ServerLookup } from './server-lookup';

const log = getLogger('api.servers');

/** Per API operation: its state rule, the task state it runs under, the compute method, the action name. */
const PLANS: Record<
  ServerOperation['kind'] | 'rebootHard',
  { rule: ServerAction; task: string; method: InstanceOperation; action: string }
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
};

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
  ) {}

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
    await this.swap(server, plan.action, () =>
      db.writer.compareAndSwap(server.uuid, [server.task_state], { task_state: plan.task }),
    );
    await db.writer.startAction(ctx, server.uuid, plan.action);
    const extra = op.kind === 'reboot' ? { reboot_type: op.type } : {};
    await (await this.compute(cctx)).operate(ctx, server.host, plan.method, server.uuid, extra);
  }

  /**
   * Delete in any state. A build request is dropped (the conductor undoes a
   * build it races with); an instance with no host (cell0) or on a host that
   * is down is deleted here; otherwise the host terminates it.
   */
  async delete(ctx: RequestContext, server: ServerRecord, caller: Caller): Promise<void> {
    checkActionAllowed('delete', server, caller.isAdmin);
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

  /** Nova's local delete: the host is gone, so the API cleans up everything itself. */
  private async localDelete(cctx: CellContext, uuid: string): Promise<void> {
    const db = await cellDb(cctx);
    if (!(await db.writer.softDelete(uuid))) {
      throw instanceNotFound(uuid);
    }
    await this.placement.release(uuid);
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
    const output = await (await this.compute(cctx)).consoleOutput(ctx, server.host, server.uuid);
    if (length === null) {
      return output;
    }
    const lines = output.split('\n');
    return length === 0 ? '' : lines.slice(-length).join('\n');
  }

  private async hostUp(cctx: CellContext, host: string): Promise<boolean> {
    const service = await (await cellDb(cctx)).services.findByHostAndBinary(host, 'nova-compute');
    return service !== null && isServiceUp(service, this.config.DEFAULT.service_down_time);
  }

  private async compute(cctx: CellContext): Promise<ComputeClient> {
    return new ComputeClient(await cctx.cell.mq(), this.config.DEFAULT.rpc_response_timeout * 1000);
  }

  /** A lost compare-and-swap is Nova's 409 on the state it found. */
  private async swap(
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
}
