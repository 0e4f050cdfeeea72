import { adminContext, describeError, type RequestContext } from '@nova/common';
import type { CellRepositories, InstanceChanges, InstanceFlavors } from '@nova/cells/db';
import {
  ComputeClient,
  FINAL_MIGRATION_STATUSES,
  InstanceNotFound,
  MigrationStateChanged,
  UnexpectedTaskState,
  type MigrationType,
  type MoveUpdate,
  type WireMove,
} from '@nova/compute-rpc';
import { TaskState } from '@nova/compute-state';
import { getLogger } from '@nova/logging';
import type { NeutronPorts } from '@nova/network';
import type { PlacementService } from '@nova/placement';
import type { NovaConfig } from '@nova/config';
import { flatVifs, wireGuestOf, type BuildRequests, type MigrationRecord } from '@nova/servers';
import type { RpcTransport } from '@nova/rpc';

const log = getLogger('conductor.moves');

/** What a cell conductor's move flows need of it. */
export interface CellMovesDeps {
  readonly db: () => Promise<CellRepositories>;
  readonly mq: () => Promise<RpcTransport>;
  readonly placement: PlacementService;
  readonly builds: BuildRequests;
  readonly rpcTimeoutMs: number;
  /** Neutron mode: the servers' ports, rebound when a server changes host. */
  readonly ports?: NeutronPorts | null;
  /** The flat network, whose subnet the guest's config drive describes. */
  readonly config: Pick<NovaConfig, 'flat_network'>;
}

/** Extras of a move request that only its hosts need (never stored). */
export interface MoveExtras {
  readonly block_migration?: boolean | null;
  readonly admin_password?: string | null;
}

/**
 * The cell's side of moves (DESIGN.md: cell-local task flows). It builds what
 * the hosts need from the cell database (they have none) and starts them:
 * the source of a cold or live migration, the destination of an evacuation;
 * it applies the hosts' step reports (instance swap, migration status,
 * allocations), confirms resizes left waiting past `resize_confirm_window`,
 * and lets a returning host clean up after evacuations.
 */
export class CellMoves {
  constructor(private readonly deps: CellMovesDeps) {}

  methods() {
    return {
      move_update: (_ctx: RequestContext, a: { update: MoveUpdate }) => this.apply(a.update),
      migration_status: async (
        _ctx: RequestContext,
        a: { uuid: string; expected: string[]; status: string },
      ) => (await this.deps.db()).migrationWriter.swapStatus(a.uuid, a.expected, a.status),
      evacuations_from: (_ctx: RequestContext, a: { host: string }) => this.evacuationsFrom(a.host),
      evacuation_cleaned: (_ctx: RequestContext, a: { uuid: string }) =>
        this.evacuationCleaned(a.uuid),
      execute_move: (ctx: RequestContext, a: { uuid: string; extras?: MoveExtras }) =>
        this.execute(ctx, a.uuid, a.extras ?? {}),
      confirm_resize: (ctx: RequestContext, a: { uuid: string }) => this.confirm(ctx, a.uuid),
      revert_resize: (ctx: RequestContext, a: { uuid: string }) => this.revert(ctx, a.uuid),
    };
  }

  /**
   * One step of a move. Placement changes before the cell's records, so
   * whoever sees the step done (the server idle, the migration's new status)
   * sees its allocations too; the records then change in one transaction,
   * the migration's status swap first, then the instance's. Both are checked
   * before placement is touched, so a step that lost a race changes nothing.
   */
  async apply(u: MoveUpdate): Promise<void> {
    const db = await this.deps.db();
    const { flavor, clear_move_flavors, launched_at, ...fields } = u.instance;
    // What the step needs, read at once.
    const [migration, instance, current] = await Promise.all([
      u.migration ? db.migrations.byUuid(u.migration.uuid) : null,
      db.instances.findByUuid(u.instance_uuid, 'no'),
      flavor !== undefined || clear_move_flavors ? db.servers.flavors(u.instance_uuid) : null,
    ]);
    precheck(u, migration, instance);
    const changes: InstanceChanges = {
      ...fields,
      ...(launched_at ? { launched_at: new Date(launched_at) } : {}),
    };
    let flavors: InstanceFlavors | undefined;
    if (flavor !== undefined || clear_move_flavors) {
      if (current) {
        const cur =
          flavor === 'new'
            ? (current.new ?? current.cur)
            : flavor === 'old'
              ? (current.old ?? current.cur)
              : current.cur;
        flavors = clear_move_flavors ? { cur } : { ...current, cur };
        Object.assign(changes, {
          instance_type_id: cur.id,
          vcpus: cur.vcpus,
          memory_mb: cur.memory_mb,
          root_gb: cur.root_gb,
          ephemeral_gb: cur.ephemeral_gb,
        });
      }
    }
    if (migration && u.allocations === 'drop') {
      await this.deps.placement.release(migration.uuid);
    } else if (migration && u.allocations === 'revert') {
      await this.deps.placement.moveAllocations(
        migration.uuid,
        u.instance_uuid,
        migration.project_id ?? '',
        migration.user_id ?? '',
      );
    }
    const newHost = fields.host && fields.host !== instance?.host ? fields.host : null;
    if (newHost) {
      // The ports follow before the step shows (Nova's migrate_instance_finish).
      await this.bindPorts(u.instance_uuid, newHost);
    }
    try {
      await db.writer.compareAndSwap(u.instance_uuid, u.expected_task_state, changes, {
        ...(flavors ? { flavors } : {}),
        ...(u.migration
          ? {
              migration: {
                uuid: u.migration.uuid,
                expected: u.migration.expected_status ?? 'any',
                status: u.migration.status,
              },
            }
          : {}),
      });
    } catch (err) {
      if (err instanceof InstanceNotFound && migration) {
        await this.deps.placement.release(migration.uuid); // deleted: nothing to give back to
      }
      if (newHost && instance?.host && !(err instanceof InstanceNotFound)) {
        await this.bindPorts(u.instance_uuid, instance.host); // the step lost: back where it is
      }
      throw err;
    }
    if (flavors && clear_move_flavors) {
      await this.deps.builds.setSpecFlavor(u.instance_uuid, flavors.cur);
    }
    if (fields.host !== undefined && fields.host !== instance?.host) {
      // Its consoles were the old host's (Nova's clean_console_auths_for_instance).
      await db.consoleAuthTokens.deleteForInstance(u.instance_uuid);
    }
    if (u.fault) {
      await db.writer.addFault(u.instance_uuid, 500, u.fault.message, u.fault.details, u.host);
    }
  }

  /** Neutron mode: the server's ports to `host`; a failure is logged, the move goes on. */
  private async bindPorts(uuid: string, host: string): Promise<void> {
    await this.deps.ports
      ?.bind(adminContext(), uuid, host)
      .catch((err: unknown) =>
        log.error({ uuid, host, err: describeError(err) }, 'could not bind the ports to the host'),
      );
  }

  /** The super conductor placed the move: start the host that goes first. */
  async execute(ctx: RequestContext, migrationUuid: string, extras: MoveExtras): Promise<void> {
    const move = await this.moveFor(migrationUuid, extras);
    const m = move.migration;
    const compute = await this.compute();
    const first: Record<MigrationType, [string, Parameters<ComputeClient['move']>[2]]> = {
      resize: [m.source_compute, 'resize_instance'],
      migration: [m.source_compute, 'resize_instance'],
      'live-migration': [m.source_compute, 'live_migration'],
      evacuation: [m.dest_compute ?? '', 'evacuate_instance'],
    };
    const [host, step] = first[m.migration_type];
    await compute.move(ctx, host, step, move);
  }

  /** The API swapped the instance to resize_confirming and the migration to confirming. */
  async confirm(ctx: RequestContext, migrationUuid: string): Promise<void> {
    const move = await this.moveFor(migrationUuid, {});
    await (await this.compute()).move(ctx, move.migration.source_compute, 'confirm_resize', move);
  }

  /** The API swapped the instance to resize_reverting and the migration to reverting. */
  async revert(ctx: RequestContext, migrationUuid: string): Promise<void> {
    const move = await this.moveFor(migrationUuid, {});
    const dest = move.migration.dest_compute ?? move.migration.source_compute;
    await (await this.compute()).move(ctx, dest, 'revert_resize', move);
  }

  /**
   * Nova's _poll_unconfirmed_resizes: resizes waiting in VERIFY_RESIZE for
   * longer than `windowSeconds` are confirmed, as if their owner had. The
   * instance's swap decides against a confirm or revert racing with it.
   */
  async confirmOverdue(windowSeconds: number): Promise<number> {
    const db = await this.deps.db();
    const due = await db.migrations.unconfirmed(new Date(Date.now() - windowSeconds * 1000));
    let confirmed = 0;
    for (const m of due) {
      const uuid = m.instance_uuid ?? '';
      const ctx = adminContext();
      try {
        await db.writer.compareAndSwap(uuid, [null], { task_state: TaskState.RESIZE_CONFIRMING });
      } catch (err) {
        if (err instanceof UnexpectedTaskState || err instanceof InstanceNotFound) {
          continue; // busy or gone: the next round looks again
        }
        throw err;
      }
      try {
        await db.migrationWriter.swapStatus(m.uuid, ['finished'], 'confirming');
      } catch (err) {
        await db.writer
          .compareAndSwap(uuid, [TaskState.RESIZE_CONFIRMING], { task_state: null })
          .catch(() => undefined);
        if (err instanceof MigrationStateChanged) {
          continue;
        }
        throw err;
      }
      await db.writer.startAction(ctx, uuid, 'confirmResize');
      log.info({ uuid, migration: m.uuid }, 'confirming a resize past resize_confirm_window');
      await this.confirm(ctx, m.uuid);
      confirmed += 1;
    }
    return confirmed;
  }

  /**
   * The instance is gone: the allocations its unfinished moves kept go too,
   * and a copy waiting on a resize's source is dropped there (Nova confirms a
   * resize whose server is deleted).
   */
  async abandonMoves(ctx: RequestContext, instanceUuid: string): Promise<void> {
    const db = await this.deps.db();
    for (const m of await db.migrations.forInstance(instanceUuid)) {
      if (m.status === 'done') {
        // An evacuation's source allocation: released now; the source still drops its guest.
        await this.deps.placement.release(m.uuid);
        continue;
      }
      if (FINAL_MIGRATION_STATUSES.includes(m.status ?? '')) {
        continue;
      }
      await this.deps.placement.release(m.uuid);
      const waiting = m.status === 'finished' || m.status === 'confirming';
      await db.migrationWriter
        .swapStatus(m.uuid, [m.status ?? ''], waiting ? 'confirmed' : 'error')
        .catch(() => undefined);
      // A cross-cell source is another cell's host, out of this conductor's reach (the API
      // confirms such a move through the super conductor before it deletes).
      if (waiting && m.source_compute && !m.cross_cell_move) {
        await (
          await this.compute()
        )
          .cleanupMoveSource(ctx, m.source_compute, instanceUuid)
          .catch((err: unknown) =>
            log.warn({ uuid: instanceUuid, err: describeError(err) }, 'source copy not dropped'),
          );
      }
    }
  }

  private async evacuationsFrom(
    host: string,
  ): Promise<Array<{ migration_uuid: string; instance_uuid: string }>> {
    const db = await this.deps.db();
    const out: Array<{ migration_uuid: string; instance_uuid: string }> = [];
    for (const m of await db.migrations.evacuationsFrom(host)) {
      const instance = m.instance_uuid ? await db.instances.findByUuid(m.instance_uuid) : null;
      if (instance?.host === host) {
        continue; // evacuated back here since: this guest is the live one
      }
      out.push({ migration_uuid: m.uuid, instance_uuid: m.instance_uuid ?? '' });
    }
    return out;
  }

  private async evacuationCleaned(migrationUuid: string): Promise<void> {
    await this.deps.placement.release(migrationUuid);
    await (await this.deps.db()).migrationWriter.swapStatus(migrationUuid, ['done'], 'completed');
  }

  /** Everything the hosts need for one step of the move, from the cell and the request spec. */
  private async moveFor(migrationUuid: string, extras: MoveExtras): Promise<WireMove> {
    return wireMoveOf(await this.deps.db(), this.deps, migrationUuid, extras);
  }

  private async compute(): Promise<ComputeClient> {
    return new ComputeClient(await this.deps.mq(), this.deps.rpcTimeoutMs);
  }
}

/** Everything the hosts need for one step of the move, from the cell and the request spec. */
export async function wireMoveOf(
  db: CellRepositories,
  deps: Pick<CellMovesDeps, 'builds' | 'config'>,
  migrationUuid: string,
  extras: MoveExtras,
): Promise<WireMove> {
  const m = await db.migrations.byUuid(migrationUuid);
  if (!m?.instance_uuid) {
    throw new Error(`migration ${migrationUuid} not found`);
  }
  const uuid = m.instance_uuid;
  const [server, flavors, sysMeta, spec, nics] = await Promise.all([
    db.servers.get(uuid),
    db.servers.flavors(uuid),
    db.servers.systemMetadata(uuid, ['old_vm_state']),
    deps.builds.spec(uuid),
    db.servers.networkInfo(uuid),
  ]);
  const oldVmState = sysMeta['old_vm_state'] ?? null;
  if (!server || !flavors) {
    throw new InstanceNotFound(`Instance ${uuid} could not be found.`, { instance_uuid: uuid });
  }
  return {
    migration: wireMigration(m),
    guest: {
      instance_uuid: uuid,
      instance_name: server.instance_name ?? uuid,
      display_name: server.display_name ?? '',
      image: spec?.image ?? {
        id: server.image_ref ?? '',
        name: null,
        min_disk: 0,
        min_ram: 0,
        properties: {},
      },
      user_data: server.user_data,
      key_data: server.key_data,
      vifs: flatVifs(nics, deps.config),
      // The password is the hosts' to add: only an evacuation's new one goes on the drive.
      facts: wireGuestOf(server, null),
    },
    old_flavor: flavors.old ?? flavors.cur,
    new_flavor: flavors.new ?? flavors.cur,
    old_vm_state: oldVmState ?? server.vm_state,
    ...(extras.block_migration !== undefined ? { block_migration: extras.block_migration } : {}),
    ...(extras.admin_password !== undefined ? { admin_password: extras.admin_password } : {}),
  };
}

function wireMigration(m: MigrationRecord): WireMove['migration'] {
  return {
    id: m.id,
    uuid: m.uuid,
    instance_uuid: m.instance_uuid ?? '',
    migration_type: m.migration_type as MigrationType,
    status: m.status ?? '',
    source_compute: m.source_compute ?? '',
    source_node: m.source_node,
    dest_compute: m.dest_compute,
    dest_node: m.dest_node,
  };
}

/** The errors the step's swaps would raise, before anything is written. */
function precheck(
  u: MoveUpdate,
  migration: MigrationRecord | null,
  instance: { task_state: string | null } | null,
): void {
  const expectedStatus = u.migration?.expected_status;
  if (
    u.migration &&
    (!migration || (expectedStatus && !expectedStatus.includes(migration.status ?? '')))
  ) {
    throw new MigrationStateChanged(
      `Migration ${u.migration.uuid} is ${migration?.status ?? 'gone'}, not ${expectedStatus?.join(' or ') ?? 'any'}`,
      { migration_uuid: u.migration.uuid, actual: migration?.status ?? null },
    );
  }
  if (!instance) {
    throw new InstanceNotFound(`Instance ${u.instance_uuid} could not be found.`, {
      instance_uuid: u.instance_uuid,
    });
  }
  if (!u.expected_task_state.includes(instance.task_state)) {
    throw new UnexpectedTaskState(
      `Conflict updating instance ${u.instance_uuid}. Expected: {'task_state': ${JSON.stringify(u.expected_task_state)}}. Actual: {'task_state': ${JSON.stringify(instance.task_state)}}`,
      { instance_uuid: u.instance_uuid, actual: instance.task_state },
    );
  }
}
