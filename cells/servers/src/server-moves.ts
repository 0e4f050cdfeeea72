import { Inject, Injectable } from '@nestjs/common';
import type { CellContext } from '@nova/cell-router';
import { cellDb, type CellRepositories } from '@nova/cells/db';
import { isServiceUp } from '@nova/cells/hosts';
import { Conflict, describeError, Invalid, NotFound, type RequestContext } from '@nova/common';
import {
  CellConductorClient,
  ComputeClient,
  LIVE_MIGRATION_IN_PROGRESS,
  MigrationStateChanged,
  NoValidHost,
  SuperConductorClient,
  UnexpectedTaskState,
  type MigrationType,
  type WireMoveRequest,
} from '@nova/compute-rpc';
import {
  ACTION_API_NAMES,
  checkActionAllowed,
  InstanceInvalidState,
  TaskState,
  VmState,
  type ServerAction,
} from '@nova/compute-state';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import type { Caller, MigrationRecord, ServerMove, ServerRecord } from '@nova/servers';
import { ApiLevelTransport } from './api-transport';
import { ServerLookup } from './server-lookup';
import { InstanceNotReady } from './server-operations';

const log = getLogger('api.moves');

/** Per move: its state rule, task state, instance action and migration type. */
const PLANS: Record<
  ServerMove['kind'],
  { rule: ServerAction; task: string; action: string; type: MigrationType }
> = {
  resize: { rule: 'resize', task: TaskState.RESIZE_PREP, action: 'resize', type: 'resize' },
  migrate: { rule: 'migrate', task: TaskState.RESIZE_PREP, action: 'migrate', type: 'migration' },
  liveMigrate: {
    rule: 'liveMigrate',
    task: TaskState.MIGRATING,
    action: 'live-migration',
    type: 'live-migration',
  },
  evacuate: {
    rule: 'evacuate',
    task: TaskState.REBUILDING,
    action: 'evacuate',
    type: 'evacuation',
  },
};

/** Nova's ServiceUnavailable on a move whose source host is down (409). */
class SourceHostDown extends Conflict {
  constructor() {
    super('Service is unavailable at this time.');
  }
}

/**
 * The API's part of moves: Nova's checks (state, lock, hosts), the swap of
 * task_state that makes two racing moves one 409, the instance action, then
 * the super conductor (waited for where Nova's API waits: resize, migrate,
 * live migration before 2.34). Confirm and revert swap the instance and the
 * migration, then hand over to the cell conductor.
 */
@Injectable()
export class ServerMoves {
  constructor(
    private readonly lookup: ServerLookup,
    private readonly apiMq: ApiLevelTransport,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  async move(
    ctx: RequestContext,
    server: ServerRecord,
    move: ServerMove,
    caller: Caller,
  ): Promise<void> {
    const plan = PLANS[move.kind];
    checkActionAllowed(plan.rule, server, caller.isAdmin);
    const source = server.host;
    if (!source || !server.cell_uuid) {
      throw new InstanceNotReady(server.uuid);
    }
    const cctx = await this.lookup.cellOf(ctx, server);
    const db = await cellDb(cctx);
    const sourceUp = await this.hostUp(db, source);
    if (move.kind === 'evacuate' && sourceUp) {
      throw new Invalid(`Compute service of ${source} is still in use.`);
    }
    if (move.kind !== 'evacuate' && !sourceUp) {
      throw new SourceHostDown();
    }
    const host = move.kind === 'resize' ? null : move.host;
    const force = (move.kind === 'liveMigrate' || move.kind === 'evacuate') && move.force;
    if (host !== null) {
      await this.checkDestination(db, server, move.kind, host, force);
    }
    await this.swap(server, plan.rule, () =>
      db.writer.compareAndSwap(server.uuid, [null], {
        task_state: plan.task,
        ...(move.kind === 'resize' && move.autoDiskConfig !== undefined
          ? { auto_disk_config: move.autoDiskConfig }
          : {}),
      }),
    );
    await db.writer.startAction(ctx, server.uuid, plan.action);
    const request: WireMoveRequest = {
      instance_uuid: server.uuid,
      migration_type: plan.type,
      task_state: plan.task,
      flavor: move.kind === 'resize' ? move.flavor : null,
      host,
      force,
      same_host: move.kind === 'resize' && this.config.DEFAULT.allow_resize_to_same_host,
      ...(move.kind === 'liveMigrate' ? { block_migration: move.blockMigration } : {}),
      ...(move.kind === 'evacuate' ? { admin_password: move.adminPassword } : {}),
      ...(move.kind === 'resize' && move.crossCell ? { cross_cell: true } : {}),
    };
    const wait =
      move.kind === 'resize' ||
      move.kind === 'migrate' ||
      (move.kind === 'liveMigrate' && !move.async);
    const conductor = new SuperConductorClient(
      await this.apiMq.get(),
      this.config.DEFAULT.rpc_response_timeout * 1000,
    );
    try {
      await conductor.migrateServer(ctx, request, { wait });
    } catch (err) {
      if (err instanceof NoValidHost) {
        throw new Invalid(err.message); // the conductor undid the move
      }
      throw err;
    }
  }

  /** confirmResize / revertResize: swap the instance, then the migration, then the cell conductor. */
  async finishResize(
    ctx: RequestContext,
    server: ServerRecord,
    how: 'confirm' | 'revert',
    caller: Caller,
  ): Promise<void> {
    const rule = how === 'confirm' ? 'confirmResize' : 'revertResize';
    checkActionAllowed(rule, server, caller.isAdmin);
    if (!server.cell_uuid) {
      throw new InstanceNotReady(server.uuid);
    }
    const cctx = await this.lookup.cellOf(ctx, server);
    const db = await cellDb(cctx);
    const [migration] = await db.migrations.forInstance(server.uuid, { statuses: ['finished'] });
    if (!migration) {
      throw new Invalid('Instance has not been resized.');
    }
    const task = how === 'confirm' ? TaskState.RESIZE_CONFIRMING : TaskState.RESIZE_REVERTING;
    await this.swap(server, rule, () =>
      db.writer.compareAndSwap(server.uuid, [null], { task_state: task }),
    );
    try {
      await db.migrationWriter.swapStatus(
        migration.uuid,
        ['finished'],
        how === 'confirm' ? 'confirming' : 'reverting',
      );
    } catch (err) {
      await db.writer
        .compareAndSwap(server.uuid, [task], { task_state: null })
        .catch(() => undefined);
      throw err instanceof MigrationStateChanged
        ? new Invalid('Instance has not been resized.')
        : err;
    }
    await db.writer.startAction(ctx, server.uuid, rule);
    if (migration.cross_cell_move) {
      // The other cell holds the source: only the super conductor reaches both.
      const superConductor = new SuperConductorClient(
        await this.apiMq.get(),
        this.config.DEFAULT.rpc_response_timeout * 1000,
      );
      await superConductor.finishCrossCellResize(ctx, server.uuid, migration.uuid, how);
      return;
    }
    const conductor = await this.cellConductor(cctx);
    await (how === 'confirm'
      ? conductor.confirmResize(ctx, migration.uuid)
      : conductor.revertResize(ctx, migration.uuid));
  }

  /**
   * Nova's _confirm_resize_on_deleting for a cross-cell resize: its source
   * copy is in another cell, which only the super conductor reaches, so a
   * delete of a server in VERIFY_RESIZE confirms first (waited for). Answers
   * the server as it is then (unchanged when there was nothing to confirm).
   */
  async confirmCrossCellBeforeDelete(
    ctx: RequestContext,
    server: ServerRecord,
  ): Promise<ServerRecord> {
    if (server.vm_state !== VmState.RESIZED || server.task_state !== null || !server.cell_uuid) {
      return server;
    }
    const db = await cellDb(await this.lookup.cellOf(ctx, server));
    const [migration] = await db.migrations.forInstance(server.uuid, { statuses: ['finished'] });
    if (!migration?.cross_cell_move) {
      return server;
    }
    try {
      await db.writer.compareAndSwap(server.uuid, [null], {
        task_state: TaskState.RESIZE_CONFIRMING,
      });
    } catch (err) {
      if (err instanceof UnexpectedTaskState) {
        return server; // someone else acts on it: the delete's own swap decides
      }
      throw err;
    }
    try {
      await db.migrationWriter.swapStatus(migration.uuid, ['finished'], 'confirming');
    } catch (err) {
      await db.writer
        .compareAndSwap(server.uuid, [TaskState.RESIZE_CONFIRMING], { task_state: null })
        .catch(() => undefined);
      if (err instanceof MigrationStateChanged) {
        return server;
      }
      throw err;
    }
    await db.writer.startAction(ctx, server.uuid, 'confirmResize');
    const conductor = new SuperConductorClient(
      await this.apiMq.get(),
      this.config.DEFAULT.rpc_response_timeout * 1000,
    );
    await conductor.finishCrossCellResize(ctx, server.uuid, migration.uuid, 'confirm', {
      wait: true,
    });
    return (await db.servers.get(server.uuid)) ?? server;
  }

  async serverMigrations(ctx: RequestContext, server: ServerRecord): Promise<MigrationRecord[]> {
    if (!server.cell_uuid) {
      return [];
    }
    const db = await cellDb(await this.lookup.cellOf(ctx, server));
    return db.migrations.forInstance(server.uuid, {
      type: 'live-migration',
      statuses: LIVE_MIGRATION_IN_PROGRESS,
    });
  }

  async serverMigration(
    ctx: RequestContext,
    server: ServerRecord,
    id: number,
  ): Promise<MigrationRecord | null> {
    if (!server.cell_uuid) {
      return null;
    }
    const db = await cellDb(await this.lookup.cellOf(ctx, server));
    const migration = await db.migrations.byId(id);
    return migration?.instance_uuid === server.uuid ? migration : null;
  }

  /**
   * force_complete needs a running migration (400 otherwise); an abort takes
   * a running one to the source host, and with 2.65 cancels a queued or
   * preparing one by its status (the source sees it at its next step).
   */
  async controlLiveMigration(
    ctx: RequestContext,
    server: ServerRecord,
    id: number,
    action: 'force_complete' | 'abort',
    options: { abortQueued: boolean },
    caller: Caller,
  ): Promise<void> {
    checkActionAllowed(
      action === 'abort' ? 'abortLiveMigration' : 'forceComplete',
      server,
      caller.isAdmin,
    );
    const notFound = `Migration ${id} not found for instance ${server.uuid}`;
    let migration = await this.serverMigration(ctx, server, id);
    if (!migration) {
      throw action === 'abort' ? new NotFound(notFound) : new Invalid(notFound);
    }
    const cctx = await this.lookup.cellOf(ctx, server);
    const db = await cellDb(cctx);
    const method = action === 'abort' ? 'abort live migration' : 'force complete';
    const invalid = (status: string | null) =>
      new Invalid(
        `Migration ${id} state of instance ${server.uuid} is ${status ?? 'None'}. Cannot ${method} while the migration is in this state.`,
      );
    if (
      action === 'abort' &&
      options.abortQueued &&
      ['queued', 'preparing'].includes(migration.status ?? '')
    ) {
      try {
        await db.migrationWriter.swapStatus(migration.uuid, ['queued', 'preparing'], 'cancelled');
        await db.writer.startAction(ctx, server.uuid, 'live_migration_cancel');
        return;
      } catch (err) {
        if (!(err instanceof MigrationStateChanged)) {
          throw err;
        }
        migration = (await this.serverMigration(ctx, server, id)) ?? migration;
      }
    }
    if (migration.migration_type !== 'live-migration' || migration.status !== 'running') {
      throw invalid(migration.status);
    }
    await db.writer.startAction(
      ctx,
      server.uuid,
      action === 'abort' ? 'live_migration_cancel' : 'live_migration_force_complete',
    );
    const compute = new ComputeClient(
      await cctx.cell.mq(),
      this.config.DEFAULT.rpc_response_timeout * 1000,
    );
    await compute.liveMigrationControl(
      ctx,
      migration.source_compute ?? server.host ?? '',
      server.uuid,
      migration.uuid,
      action,
    );
  }

  /**
   * An admin's destination: in the server's cell (Nova looks there), not the
   * source, up when forced (the scheduler checks the rest), with Nova's
   * errors per action.
   */
  private async checkDestination(
    db: CellRepositories,
    server: ServerRecord,
    kind: ServerMove['kind'],
    host: string,
    forced: boolean,
  ): Promise<void> {
    if (kind === 'migrate' && host === server.host) {
      throw new Invalid('Cannot migrate to the host where the server exists.');
    }
    const service = await db.services.findByHostAndBinary(host, 'nova-compute');
    if (!service) {
      throw kind === 'evacuate'
        ? new NotFound(`Compute host ${host} not found.`)
        : new Invalid(`Compute host ${host} could not be found.`);
    }
    if (kind === 'evacuate' && host === server.host) {
      throw new Invalid("The target host can't be the same one.");
    }
    if (kind === 'liveMigrate' && host === server.host) {
      throw new Invalid(`Unable to migrate instance (${server.uuid}) to current host (${host}).`);
    }
    if (forced && !isServiceUp(service, this.config.DEFAULT.service_down_time)) {
      throw new Invalid(`Compute service of ${host} is unavailable at this time.`);
    }
  }

  private async hostUp(db: CellRepositories, host: string): Promise<boolean> {
    const service = await db.services.findByHostAndBinary(host, 'nova-compute');
    return service !== null && isServiceUp(service, this.config.DEFAULT.service_down_time);
  }

  private async cellConductor(cctx: CellContext): Promise<CellConductorClient> {
    return new CellConductorClient(
      await cctx.cell.mq(),
      this.config.DEFAULT.rpc_response_timeout * 1000,
    );
  }

  /** A lost compare-and-swap is Nova's 409 on the state it found. */
  private async swap(
    server: ServerRecord,
    rule: ServerAction,
    write: () => Promise<void>,
  ): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (err instanceof UnexpectedTaskState) {
        log.info({ uuid: server.uuid, err: describeError(err) }, 'lost a task-state race');
        const name = ACTION_API_NAMES[rule];
        throw new InstanceInvalidState(
          `Cannot '${name}' instance ${server.uuid} while it is in task_state ${String(
            (err.kwargs['actual'] as string | null | undefined) ?? 'None',
          )}`,
        );
      }
      throw err;
    }
  }
}
