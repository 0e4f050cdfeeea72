import type { DataSource, EntityManager } from 'typeorm';
import { sqlTimestamp } from '@nova/database';

type Row = Record<string, unknown>;

/** The instance's records keyed by instance_uuid, copied as they are (ids are per database). */
const RECORD_TABLES = [
  'instance_extra',
  'instance_info_caches',
  'instance_metadata',
  'instance_system_metadata',
  'instance_faults',
  'block_device_mapping',
  'virtual_interfaces',
] as const;

/** One instance as its cell holds it: the row, its records, its actions and one migration. */
export interface InstanceBundle {
  readonly instance: Row;
  readonly records: Record<string, Row[]>;
  readonly tags: Row[];
  readonly actions: Array<{ action: Row; events: Row[] }>;
  readonly migration: Row | null;
}

/**
 * Nova's cross-cell copy of an instance (TargetDBSetupTask): everything a
 * cell database holds of one live instance, read from one cell and written
 * to another in one transaction, and removed again when a move is undone.
 * Rows keep their values but not their ids, which are per database.
 */
export class InstanceCopy {
  constructor(private readonly ds: DataSource) {}

  /** The live instance with its records, actions and the migration `migrationUuid`. */
  async read(uuid: string, migrationUuid: string): Promise<InstanceBundle | null> {
    const [instance] = await this.ds.query<Row[]>(
      'SELECT * FROM instances WHERE uuid = ? AND deleted = 0',
      [uuid],
    );
    if (!instance) {
      return null;
    }
    const records: Record<string, Row[]> = {};
    for (const table of RECORD_TABLES) {
      records[table] = await this.ds.query<Row[]>(
        `SELECT * FROM ${table} WHERE instance_uuid = ? AND deleted = 0`,
        [uuid],
      );
    }
    const tags = await this.ds.query<Row[]>('SELECT * FROM tags WHERE resource_id = ?', [uuid]);
    const actions = await this.actions(uuid);
    const [migration] = await this.ds.query<Row[]>(
      'SELECT * FROM migrations WHERE uuid = ? AND deleted = 0',
      [migrationUuid],
    );
    return { instance, records, tags, actions, migration: migration ?? null };
  }

  /** Actions (with their events) whose request id this database lacks for the instance. */
  async actions(uuid: string): Promise<Array<{ action: Row; events: Row[] }>> {
    const rows = await this.ds.query<Row[]>(
      'SELECT * FROM instance_actions WHERE instance_uuid = ? AND deleted = 0 ORDER BY id',
      [uuid],
    );
    const out: Array<{ action: Row; events: Row[] }> = [];
    for (const action of rows) {
      const events = await this.ds.query<Row[]>(
        'SELECT * FROM instance_actions_events WHERE action_id = ? AND deleted = 0 ORDER BY id',
        [action['id']],
      );
      out.push({ action, events });
    }
    return out;
  }

  /**
   * Write the bundle here, the instance `hidden` (its compute_id dropped: node
   * ids are this database's); the migration gets `migrationFields`. Fails on
   * a row already here (a second copy is a bug, not a retry).
   */
  async write(bundle: InstanceBundle, hidden: boolean, migrationFields: Row = {}): Promise<void> {
    await this.ds.transaction(async (tx) => {
      await insert(tx, 'instances', {
        ...bundle.instance,
        hidden: hidden ? 1 : 0,
        compute_id: null,
      });
      for (const [table, rows] of Object.entries(bundle.records)) {
        for (const row of rows) {
          await insert(tx, table, row);
        }
      }
      for (const tag of bundle.tags) {
        await insert(tx, 'tags', tag, false);
      }
      await writeActions(tx, bundle.actions);
      if (bundle.migration) {
        await insert(tx, 'migrations', { ...bundle.migration, ...migrationFields });
      }
    });
  }

  /** Copy the actions of `from` this database does not have yet (by request id and name). */
  async addMissingActions(uuid: string, from: Array<{ action: Row; events: Row[] }>) {
    const have = await this.ds.query<Array<{ request_id: string; action: string }>>(
      'SELECT request_id, action FROM instance_actions WHERE instance_uuid = ? AND deleted = 0',
      [uuid],
    );
    const known = new Set(have.map((a) => `${a.request_id} ${a.action}`));
    const missing = from.filter(
      (a) => !known.has(`${String(a.action['request_id'])} ${String(a.action['action'])}`),
    );
    await this.ds.transaction((tx) => writeActions(tx, missing));
  }

  /**
   * Remove every row of the instance here, the migration `migrationUuid`
   * too (the copy of a move that is undone, or the hidden source of a
   * confirmed one, whose live copy is in another cell).
   */
  async purge(uuid: string, migrationUuid: string | null): Promise<void> {
    await this.ds.transaction(async (tx) => {
      await tx.query(
        'DELETE FROM instance_actions_events WHERE action_id IN (SELECT id FROM instance_actions WHERE instance_uuid = ?)',
        [uuid],
      );
      await tx.query('DELETE FROM instance_actions WHERE instance_uuid = ?', [uuid]);
      for (const table of RECORD_TABLES) {
        await tx.query(`DELETE FROM ${table} WHERE instance_uuid = ?`, [uuid]);
      }
      await tx.query('DELETE FROM tags WHERE resource_id = ?', [uuid]);
      await tx.query('DELETE FROM console_auth_tokens WHERE instance_uuid = ?', [uuid]);
      if (migrationUuid) {
        await tx.query('DELETE FROM migrations WHERE uuid = ?', [migrationUuid]);
      }
      await tx.query('DELETE FROM instances WHERE uuid = ?', [uuid]);
    });
  }

  /** Hide or show the live instance (cell readers skip hidden rows). */
  async setHidden(uuid: string, hidden: boolean): Promise<void> {
    await this.ds.query(
      'UPDATE instances SET hidden = ?, updated_at = ? WHERE uuid = ? AND deleted = 0',
      [hidden ? 1 : 0, sqlTimestamp(this.ds), uuid],
    );
  }

  /** Hide or show the migration (os-migrations lists the visible copy only). */
  async setMigrationHidden(migrationUuid: string, hidden: boolean): Promise<void> {
    await this.ds.query('UPDATE migrations SET hidden = ?, updated_at = ? WHERE uuid = ?', [
      hidden ? 1 : 0,
      sqlTimestamp(this.ds),
      migrationUuid,
    ]);
  }
}

async function writeActions(
  tx: EntityManager,
  actions: Array<{ action: Row; events: Row[] }>,
): Promise<void> {
  for (const { action, events } of actions) {
    const id = await insert(tx, 'instance_actions', action);
    for (const event of events) {
      await insert(tx, 'instance_actions_events', { ...event, action_id: id });
    }
  }
}

/** Insert a row without its id (unless `dropId` is false); returns the new id. */
async function insert(tx: EntityManager, table: string, row: Row, dropId = true): Promise<number> {
  const values = Object.entries(row).filter(([k]) => !(dropId && k === 'id'));
  const result = await tx.query<{ insertId?: number }>(
    `INSERT INTO ${table} (${values.map(([k]) => `\`${k}\``).join(', ')}) VALUES (${values
      .map(() => '?')
      .join(', ')})`,
    values.map(([, v]) => v),
  );
  if (typeof result?.insertId === 'number') {
    return result.insertId;
  }
  // SQLite answers no insert id here: read it back.
  const [last] = await tx.query<Array<{ id: number }>>('SELECT last_insert_rowid() AS id');
  return Number(last?.id);
}
