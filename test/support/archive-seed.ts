import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { sqlTimestamp } from '@nova/database';

/** The cell tables a seeded instance has rows in, with how many each. */
export const ROWS_PER_DELETED_INSTANCE: Readonly<Record<string, number>> = {
  instances: 1,
  instance_extra: 1,
  instance_info_caches: 1,
  instance_metadata: 1,
  instance_system_metadata: 1,
  instance_faults: 1,
  instance_actions: 1,
  instance_actions_events: 2,
  block_device_mapping: 1,
  virtual_interfaces: 1,
  tags: 1,
  migrations: 1,
};

export const FAMILY_SIZE = Object.values(ROWS_PER_DELETED_INSTANCE).reduce((a, b) => a + b, 0);

/** Insert one row with raw SQL (either engine); returns its id when it has one. */
export async function insertRow(
  ds: DataSource,
  table: string,
  row: Record<string, unknown>,
): Promise<number> {
  const columns = Object.keys(row);
  const values = Object.values(row).map((v) => (v instanceof Date ? sqlTimestamp(ds, v) : v));
  const result: unknown = await ds.query(
    `INSERT INTO ${table} (${columns.map((c) => ds.driver.escape(c)).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    values,
  );
  // mysql2 answers a ResultSetHeader, better-sqlite3 (through TypeORM) the last rowid.
  return typeof result === 'number' ? result : Number((result as { insertId?: number }).insertId);
}

export async function count(ds: DataSource, table: string, where = '1 = 1'): Promise<number> {
  const [row] = await ds.query<Array<{ n: number | string }>>(
    `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`,
  );
  return Number(row?.n ?? 0);
}

export interface SeededInstance {
  readonly uuid: string;
  readonly id: number;
}

/**
 * An instance with a row in every table that belongs to an instance, as Nova
 * leaves them: when `deletedAt` is given the instance and its records are
 * soft-deleted then (deleted = id), actions and events are not, tags and
 * migrations have no deleted state of their own here.
 */
export async function seedInstanceFamily(
  ds: DataSource,
  options: { deletedAt?: Date; host?: string } = {},
): Promise<SeededInstance> {
  const uuid = randomUUID();
  const now = new Date();
  const at = options.deletedAt;
  const soft = async (table: string, row: Record<string, unknown>): Promise<number> => {
    const id = await insertRow(ds, table, { ...row, created_at: now, deleted: 0 });
    if (at) {
      await ds.query(`UPDATE ${table} SET deleted = id, deleted_at = ? WHERE id = ?`, [
        sqlTimestamp(ds, at),
        id,
      ]);
    }
    return id;
  };
  const id = await soft('instances', {
    uuid,
    project_id: 'project-a',
    user_id: 'user-a',
    vm_state: at ? 'deleted' : 'active',
    host: options.host ?? 'compute-1',
    node: options.host ?? 'compute-1',
    display_name: `server-${uuid.slice(0, 8)}`,
  });
  await soft('instance_extra', { instance_uuid: uuid, flavor: '{}' });
  await soft('instance_info_caches', { instance_uuid: uuid, network_info: '[]' });
  await soft('instance_metadata', { instance_uuid: uuid, key: 'role', value: 'web' });
  await soft('instance_system_metadata', { instance_uuid: uuid, key: 'image_os', value: 'linux' });
  await soft('instance_faults', { instance_uuid: uuid, code: 500, message: 'boom' });
  await soft('block_device_mapping', {
    instance_uuid: uuid,
    source_type: 'image',
    destination_type: 'local',
    boot_index: 0,
  });
  await soft('virtual_interfaces', {
    instance_uuid: uuid,
    address: `fa:16:3e:${uuid.slice(0, 2)}:${uuid.slice(2, 4)}:${uuid.slice(4, 6)}`,
    uuid: randomUUID(),
  });
  await soft('migrations', {
    instance_uuid: uuid,
    uuid: randomUUID(),
    status: 'confirmed',
    migration_type: 'resize',
  });
  const actionId = await insertRow(ds, 'instance_actions', {
    action: 'create',
    instance_uuid: uuid,
    request_id: `req-${uuid}`,
    start_time: now,
    created_at: now,
    deleted: 0,
  });
  for (const event of ['compute__do_build_and_run_instance', 'conductor_schedule_and_build']) {
    await insertRow(ds, 'instance_actions_events', {
      event,
      action_id: actionId,
      start_time: now,
      created_at: now,
      deleted: 0,
    });
  }
  await insertRow(ds, 'tags', { resource_id: uuid, tag: 'blue' });
  return { uuid, id };
}

/** The API records of an instance: mapping, request spec, group membership, a build request. */
export async function seedApiRecords(
  api: DataSource,
  cellId: number,
  uuid: string,
  groupId: number,
  options: { buildRequest?: boolean } = {},
): Promise<void> {
  const now = new Date();
  await insertRow(api, 'instance_mappings', {
    instance_uuid: uuid,
    cell_id: cellId,
    project_id: 'project-a',
    user_id: 'user-a',
    queued_for_delete: 0,
    created_at: now,
  });
  await insertRow(api, 'request_specs', { instance_uuid: uuid, spec: '{}', created_at: now });
  await insertRow(api, 'instance_group_member', {
    instance_uuid: uuid,
    group_id: groupId,
    created_at: now,
  });
  if (options.buildRequest) {
    await insertRow(api, 'build_requests', {
      instance_uuid: uuid,
      project_id: 'project-a',
      instance: '{}',
      created_at: now,
    });
  }
}

export async function seedGroup(api: DataSource): Promise<number> {
  return insertRow(api, 'instance_groups', {
    uuid: randomUUID(),
    name: 'group',
    project_id: 'project-a',
    user_id: 'user-a',
    created_at: new Date(),
  });
}
