import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import type { RequestContext } from '@nova/common';
import {
  InstanceNotFound,
  UnexpectedTaskState,
  type BuildInstanceFields,
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
  >
>;

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
  constructor(private readonly ds: DataSource) {}

  /** The instance and all its records, in one transaction; returns its cell-local id. */
  async create(
    fields: BuildInstanceFields,
    placement: Placement,
    vifs: readonly WireVif[],
  ): Promise<number> {
    return this.ds.transaction(async (tx) => {
      const now = new Date();
      const inserted = await tx.insert(Instance, {
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
      });
      await tx.insert(InstanceExtra, {
        instance_uuid: fields.uuid,
        flavor: JSON.stringify({ cur: fields.flavor }),
        created_at: now,
        deleted: 0,
      });
      await tx.insert(InstanceInfoCache, {
        instance_uuid: fields.uuid,
        network_info: JSON.stringify(vifs),
        created_at: now,
        deleted: 0,
      });
      const metadata = Object.entries(fields.metadata);
      if (metadata.length > 0) {
        await tx.insert(
          InstanceMetadata,
          metadata.map(([key, value]) => ({
            key,
            value,
            instance_uuid: fields.uuid,
            created_at: now,
            deleted: 0,
          })),
        );
      }
      if (fields.tags.length > 0) {
        await tx.insert(
          Tag,
          [...new Set(fields.tags)].map((tag) => ({ resource_id: fields.uuid, tag })),
        );
      }
      return Number(inserted.identifiers[0]?.id);
    });
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
  ): Promise<void> {
    const qb = this.ds
      .createQueryBuilder()
      .update(Instance)
      .set({ ...changes, updated_at: new Date() })
      .where('uuid = :uuid AND deleted = 0', { uuid });
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
      const current = await this.ds.getRepository(Instance).findOneBy({ uuid, deleted: 0 });
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
    return this.ds.transaction(async (tx) => {
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
    await this.ds.getRepository(InstanceFault).insert({
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

  /** Record an API action (instance-actions) started by this request. */
  async startAction(ctx: RequestContext, uuid: string, action: string): Promise<void> {
    const now = new Date();
    await this.ds.getRepository(InstanceAction).insert({
      action,
      instance_uuid: uuid,
      request_id: ctx.requestId,
      user_id: ctx.userId,
      project_id: ctx.projectId,
      start_time: now,
      created_at: now,
      deleted: 0,
    });
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
      await events.insert({
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
