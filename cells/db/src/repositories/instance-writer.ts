import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import {
  batchedTransaction,
  insertRows,
  insertStatement,
  retryOnDeadlock,
  writeTransaction,
} from '@nova/database';
import type { RequestContext } from '@nova/common';
import {
  InstanceNotFound,
  UnexpectedTaskState,
  type BuildInstanceFields,
  type WireFlavor,
  type WireVif,
} from '@nova/compute-rpc';
import {
  Instance,
  InstanceAction,
  InstanceActionEvent,
  InstanceExtra,
  InstanceFault,
  InstanceInfoCache,
  InstanceMetadata,
  InstanceSystemMetadata,
  Tag,
} from '../entities';
import { notifier } from '@nova/notifications';
import { notifyStateChange, type StateBefore } from '../notifications/instance-notifications';
import { swapMigrationStatus } from './migration-writer';

/** Where and how a new instance starts life in its cell. */
export interface Placement {
  readonly host: string | null;
  readonly node: string | null;
  readonly availability_zone: string | null;
  readonly vm_state: string;
  readonly task_state: string | null;
}

/** Columns a compare-and-swap may set. */
export type InstanceChanges = Partial<
  Pick<
    Instance,
    | 'vm_state'
    | 'task_state'
    | 'power_state'
    | 'host'
    | 'node'
    | 'launched_at'
    | 'terminated_at'
    | 'locked'
    | 'locked_by'
    | 'display_name'
    | 'display_description'
    | 'access_ip_v4'
    | 'access_ip_v6'
    | 'hostname'
    | 'availability_zone'
    | 'auto_disk_config'
    | 'image_ref'
    | 'key_name'
    | 'key_data'
    | 'user_data'
    | 'deleted_at'
    | 'instance_type_id'
    | 'vcpus'
    | 'memory_mb'
    | 'root_gb'
    | 'ephemeral_gb'
    | 'config_drive'
  >
>;

/** The flavors an instance records (instance_extra.flavor): its own, and a move's old and new. */
export interface InstanceFlavors {
  readonly cur: WireFlavor;
  readonly old?: WireFlavor | null;
  readonly new?: WireFlavor | null;
}

/** Records replaced together with a compare-and-swap (a rebuild's new metadata). */
export interface RecordChanges {
  readonly metadata?: Readonly<Record<string, string>>;
  /** The flavors, replaced whole (a move's step). */
  readonly flavors?: InstanceFlavors;
  /** A move's migration status, swapped first (a lost swap leaves everything as it was). */
  readonly migration?: {
    readonly uuid: string;
    readonly expected: readonly string[] | 'any';
    readonly status: string;
  };
}

/** Nova keeps a server's password in four system-metadata chunks of 255 characters. */
const PASSWORD_CHUNKS = 4;
const PASSWORD_CHUNK_LENGTH = 255;

const PASSWORD_KEYS = Array.from({ length: PASSWORD_CHUNKS }, (_, i) => `password_${i}`);

function checkPasswordFits(text: string): void {
  if (text.length > PASSWORD_CHUNKS * PASSWORD_CHUNK_LENGTH) {
    throw new Error(`a password of ${text.length} characters does not fit`);
  }
}

/** Replace the password chunks (none for ''). */
async function writePassword(tx: EntityManager, uuid: string, text: string): Promise<void> {
  const repo = tx.getRepository(InstanceSystemMetadata);
  const now = new Date();
  for (const [i, key] of PASSWORD_KEYS.entries()) {
    await repo.delete({ instance_uuid: uuid, key });
    const chunk = text.slice(i * PASSWORD_CHUNK_LENGTH, (i + 1) * PASSWORD_CHUNK_LENGTH);
    if (chunk !== '') {
      await repo.insert({ instance_uuid: uuid, key, value: chunk, created_at: now, deleted: 0 });
    }
  }
}

/** An instance action begun by the request `ctx` (Nova's InstanceAction). */
function actionRow(ctx: RequestContext, uuid: string, action: string, now: Date) {
  return {
    action,
    instance_uuid: uuid,
    request_id: ctx.requestId,
    user_id: ctx.userId,
    project_id: ctx.projectId,
    start_time: now,
    created_at: now,
    deleted: 0,
  };
}

/** The host column itself, for a compute_id whose host is not changing. */
const HOST_COLUMN = Symbol('host column');

/**
 * instances.compute_id (Nova's link to the compute node, by id) for a host and
 * node, looked up in the same statement: null without a node, and null while
 * the node has not reported yet (`db online_data_migrations` fills it later).
 */
function computeIdOf(
  host: string | null | typeof HOST_COLUMN,
  node: string | null,
): { value: null | (() => string); params: Record<string, string> } {
  if (node === null || host === null) {
    return { value: null, params: {} };
  }
  const hostExpr = host === HOST_COLUMN ? 'instances.host' : ':cnHost';
  return {
    value: () =>
      `(SELECT cn.id FROM compute_nodes cn WHERE cn.host = ${hostExpr} AND cn.hypervisor_hostname = :cnNode AND cn.deleted = 0)`,
    params: { cnNode: node, ...(host === HOST_COLUMN ? {} : { cnHost: host }) },
  };
}

/** Expected task states of a compare-and-swap; 'any' for writes that must not race-check. */
export type ExpectedTaskState = ReadonlyArray<string | null> | 'any';

const RECORD_TABLES = [
  InstanceExtra,
  InstanceInfoCache,
  InstanceMetadata,
  InstanceSystemMetadata,
  InstanceFault,
] as const;

/** Every write to an instance and its records in one cell database. */
export class InstanceWriter {
  constructor(
    private readonly ds: DataSource,
    /** Who is writing, for the instance.update notifications of state changes. */
    private readonly ctx: RequestContext | null = null,
  ) {}

  /**
   * The instance and all its records, and its 'create' action when `startedBy`
   * is given, in one transaction (the server appears in its cell with the action
   * that made it); returns its cell-local id.
   */
  async create(
    fields: BuildInstanceFields,
    placement: Placement,
    vifs: readonly WireVif[],
    startedBy?: RequestContext,
  ): Promise<number> {
    // The host's compute node id is looked up within the INSERT: one statement, not two.
    const node = computeIdOf(placement.host, placement.node);
    const now = new Date();
    const row = {
      uuid: fields.uuid,
      user_id: fields.user_id,
      project_id: fields.project_id,
      image_ref: fields.image_ref,
      hostname: fields.hostname,
      launch_index: fields.launch_index,
      key_name: fields.key_name,
      key_data: fields.key_data,
      power_state: 0,
      vm_state: placement.vm_state,
      task_state: placement.task_state,
      memory_mb: fields.flavor.memory_mb,
      vcpus: fields.flavor.vcpus,
      root_gb: fields.flavor.root_gb,
      ephemeral_gb: fields.flavor.ephemeral_gb,
      host: placement.host,
      node: placement.node,
      launched_on: placement.host,
      instance_type_id: fields.flavor.id,
      user_data: fields.user_data,
      reservation_id: fields.reservation_id,
      availability_zone: placement.availability_zone,
      display_name: fields.display_name,
      display_description: fields.display_description,
      locked: false,
      access_ip_v4: fields.access_ip_v4,
      access_ip_v6: fields.access_ip_v6,
      config_drive: fields.config_drive ?? '',
      auto_disk_config: fields.auto_disk_config ?? false,
      root_device_name: '/dev/vda',
      progress: 0,
      hidden: false,
      created_at: new Date(fields.created_at),
      updated_at: now,
      deleted: 0,
      ...(node.value ? { compute_id: node.value } : {}),
    };
    const ds = this.ds;
    const metadata = Object.entries(fields.metadata);
    const statements = [
      insertStatement(ds, Instance, row, node.params),
      insertStatement(ds, InstanceExtra, {
        instance_uuid: fields.uuid,
        flavor: JSON.stringify({ cur: fields.flavor }),
        security_groups: JSON.stringify(fields.security_groups ?? []),
        created_at: now,
        deleted: 0,
      }),
      insertStatement(ds, InstanceInfoCache, {
        instance_uuid: fields.uuid,
        network_info: JSON.stringify(vifs),
        created_at: now,
        deleted: 0,
      }),
      ...(metadata.length > 0
        ? [
            insertStatement(
              ds,
              InstanceMetadata,
              metadata.map(([key, value]) => ({
                key,
                value,
                instance_uuid: fields.uuid,
                created_at: now,
                deleted: 0,
              })),
            ),
          ]
        : []),
      ...(fields.tags.length > 0
        ? [
            insertStatement(
              ds,
              Tag,
              [...new Set(fields.tags)].map((tag) => ({ resource_id: fields.uuid, tag })),
            ),
          ]
        : []),
      ...(startedBy
        ? [insertStatement(ds, InstanceAction, actionRow(startedBy, fields.uuid, 'create', now))]
        : []),
    ];
    // The row and its records in one transaction, sent as one batch.
    const [instance] = await retryOnDeadlock(() =>
      batchedTransaction(ds, (tx) => tx.send(statements, { commit: true })),
    );
    return instance.insertId;
  }

  /**
   * Compare-and-swap: apply `changes` only while the instance is live and its
   * task_state is one of `expected`. UnexpectedTaskState when another writer got
   * there first; InstanceNotFound when it is gone.
   */
  async compareAndSwap(
    uuid: string,
    expected: ExpectedTaskState,
    changes: InstanceChanges,
    records: RecordChanges = {},
  ): Promise<void> {
    const before = await this.stateBeforeIfNotifying(uuid, changes);
    await this.swapWith(uuid, expected, changes, records);
    if (before) {
      await notifyStateChange(this.ds, this.ctx, uuid, before);
    }
  }

  /** The states before a change that may send instance.update (none when it cannot). */
  private async stateBeforeIfNotifying(
    uuid: string,
    changes: InstanceChanges,
  ): Promise<StateBefore | undefined> {
    const mode = notifier().enabled ? notifier().settings.stateChange : undefined;
    const relevant =
      changes.vm_state !== undefined ||
      (mode === 'vm_and_task_state' && changes.task_state !== undefined);
    if (!mode || !relevant) {
      return undefined;
    }
    const row = await this.ds.getRepository(Instance).findOne({
      where: { uuid, deleted: 0 },
      select: ['vm_state', 'task_state', 'display_name'],
    });
    return row ?? undefined;
  }

  private async swapWith(
    uuid: string,
    expected: ExpectedTaskState,
    changes: InstanceChanges,
    records: RecordChanges,
  ): Promise<void> {
    const { metadata, flavors, migration } = records;
    if (metadata === undefined && flavors === undefined && migration === undefined) {
      return this.swap(this.ds.manager, uuid, expected, changes);
    }
    // The swap decides; the records change only with it, in the same transaction.
    await writeTransaction(this.ds, async (tx) => {
      if (migration) {
        await swapMigrationStatus(tx, migration.uuid, migration.expected, migration.status);
      }
      await this.swap(tx, uuid, expected, changes);
      const now = new Date();
      if (flavors !== undefined) {
        await tx.update(
          InstanceExtra,
          { instance_uuid: uuid, deleted: 0 },
          { flavor: JSON.stringify(flavors), updated_at: now },
        );
      }
      if (metadata === undefined) {
        return;
      }
      await tx.delete(InstanceMetadata, { instance_uuid: uuid });
      const rows = Object.entries(metadata).map(([key, value]) => ({
        key,
        value,
        instance_uuid: uuid,
        created_at: now,
        deleted: 0,
      }));
      if (rows.length > 0) {
        await insertRows(tx, InstanceMetadata, rows);
      }
    });
  }

  private async swap(
    manager: EntityManager,
    uuid: string,
    expected: ExpectedTaskState,
    changes: InstanceChanges,
  ): Promise<void> {
    // A new node means a new compute_id (the host may stay, as on a reschedule to its other node).
    const node =
      changes.node === undefined
        ? undefined
        : computeIdOf(changes.host === undefined ? HOST_COLUMN : changes.host, changes.node);
    const qb = manager
      .createQueryBuilder()
      .update(Instance)
      .set({
        ...changes,
        ...(node ? { compute_id: node.value } : {}),
        updated_at: new Date(),
      })
      .where('uuid = :uuid AND deleted = 0', { uuid, ...node?.params });
    if (expected !== 'any') {
      const states = expected.filter((s): s is string => s !== null);
      const clauses = [
        ...(states.length > 0 ? ['task_state IN (:...states)'] : []),
        ...(expected.includes(null) ? ['task_state IS NULL'] : []),
      ];
      qb.andWhere(`(${clauses.join(' OR ')})`, { states });
    }
    const result = await qb.execute();
    if (result.affected === 0) {
      const current = await manager.getRepository(Instance).findOneBy({ uuid, deleted: 0 });
      if (!current) {
        throw new InstanceNotFound(`Instance ${uuid} could not be found.`, { instance_uuid: uuid });
      }
      throw new UnexpectedTaskState(
        `Conflict updating instance ${uuid}. Expected: {'task_state': ${JSON.stringify(expected)}}. Actual: {'task_state': ${JSON.stringify(current.task_state)}}`,
        { instance_uuid: uuid, actual: current.task_state },
      );
    }
  }

  /** Soft-delete the instance and its records (Nova's instance.destroy); false when already gone. */
  async softDelete(uuid: string): Promise<boolean> {
    return writeTransaction(this.ds, async (tx) => {
      const now = new Date();
      const result = await tx
        .createQueryBuilder()
        .update(Instance)
        .set({
          deleted: () => 'id',
          deleted_at: now,
          vm_state: 'deleted',
          task_state: null,
          terminated_at: now,
        })
        .where('uuid = :uuid AND deleted = 0', { uuid })
        .execute();
      if (result.affected === 0) {
        return false;
      }
      for (const table of RECORD_TABLES) {
        await softDeleteRecords(tx, table, uuid, now);
      }
      await tx.delete(Tag, { resource_id: uuid });
      // Its console tokens go with it (Nova's clean_console_auths_for_instance).
      await tx.query('DELETE FROM console_auth_tokens WHERE instance_uuid = ?', [uuid]);
      return true;
    });
  }

  async addFault(
    uuid: string,
    code: number,
    message: string,
    details: string | null,
    host: string | null,
  ) {
    await insertRows(this.ds, InstanceFault, {
      instance_uuid: uuid,
      code,
      message: message.slice(0, 255),
      details,
      host,
      created_at: new Date(),
      deleted: 0,
    });
  }

  async setSystemMetadata(uuid: string, key: string, value: string | null): Promise<void> {
    const repo = this.ds.getRepository(InstanceSystemMetadata);
    await repo.delete({ instance_uuid: uuid, key });
    if (value !== null) {
      await repo.insert({ instance_uuid: uuid, key, value, created_at: new Date(), deleted: 0 });
    }
  }

  /** The instance's NICs as the info cache keeps them (replaced whole). */
  async setNetworkInfo(uuid: string, vifs: readonly WireVif[]): Promise<void> {
    await this.ds
      .getRepository(InstanceInfoCache)
      .update(
        { instance_uuid: uuid, deleted: 0 },
        { network_info: JSON.stringify(vifs), updated_at: new Date() },
      );
  }

  /** The security groups of the instance, by name (replaced whole). */
  async setSecurityGroups(uuid: string, names: readonly string[]): Promise<void> {
    await this.ds
      .getRepository(InstanceExtra)
      .update(
        { instance_uuid: uuid, deleted: 0 },
        { security_groups: JSON.stringify(names), updated_at: new Date() },
      );
  }

  /** The (encrypted) password the guest posted, in Nova's password_0..3 chunks; null clears it. */
  async setPassword(uuid: string, password: string | null): Promise<void> {
    const text = password ?? '';
    checkPasswordFits(text);
    await writeTransaction(this.ds, (tx) => writePassword(tx, uuid, text));
  }

  /**
   * The guest's POST to the metadata service: kept only when no password is,
   * in one transaction that holds the instance's row, so of two racing posts
   * one wins and the other is told 'exists'.
   */
  async setPasswordOnce(uuid: string, password: string): Promise<'stored' | 'exists' | 'gone'> {
    checkPasswordFits(password);
    return writeTransaction(this.ds, async (tx) => {
      const held = await tx
        .createQueryBuilder()
        .update(Instance)
        .set({ updated_at: new Date() })
        .where('uuid = :uuid AND deleted = 0', { uuid })
        .execute();
      if (!held.affected) {
        return 'gone';
      }
      const [row] = await tx.query<Array<{ n: number | string }>>(
        `SELECT COUNT(*) AS n FROM instance_system_metadata WHERE instance_uuid = ? AND deleted = 0 AND \`key\` IN (${PASSWORD_KEYS.map(() => '?').join(', ')}) AND value <> ''`,
        [uuid, ...PASSWORD_KEYS],
      );
      if (Number(row?.n ?? 0) > 0) {
        return 'exists';
      }
      await writePassword(tx, uuid, password);
      return 'stored';
    });
  }

  /** Record an API action (instance-actions) started by this request. */
  async startAction(ctx: RequestContext, uuid: string, action: string): Promise<void> {
    await insertRows(this.ds, InstanceAction, actionRow(ctx, uuid, action, new Date()));
  }

  /** Start or finish an event of the request's action; a failed event marks the action "Error". */
  async actionEvent(
    requestId: string,
    uuid: string,
    event: string,
    host: string | null,
    result: 'start' | 'Success' | 'Error',
    details: string | null,
  ): Promise<void> {
    const actions = this.ds.getRepository(InstanceAction);
    const action = await actions.findOne({
      where: { instance_uuid: uuid, request_id: requestId },
      order: { id: 'DESC' },
    });
    if (!action) {
      return; // an action recorded in another cell (cell0 before a reschedule) or none at all
    }
    const events = this.ds.getRepository(InstanceActionEvent);
    const now = new Date();
    if (result === 'start') {
      await insertRows(this.ds, InstanceActionEvent, {
        event,
        action_id: action.id,
        start_time: now,
        host,
        created_at: now,
        deleted: 0,
      });
      return;
    }
    await events.update(
      { action_id: action.id, event, finish_time: IsNull() },
      { finish_time: now, result, details, updated_at: now },
    );
    await actions.update(
      { id: action.id },
      { finish_time: now, updated_at: now, ...(result === 'Error' ? { message: 'Error' } : {}) },
    );
  }
}

async function softDeleteRecords(
  tx: EntityManager,
  table: (typeof RECORD_TABLES)[number],
  uuid: string,
  now: Date,
): Promise<void> {
  await tx
    .createQueryBuilder()
    .update(table)
    .set({ deleted: () => 'id', deleted_at: now })
    .where('instance_uuid = :uuid AND deleted = 0', { uuid })
    .execute();
}
