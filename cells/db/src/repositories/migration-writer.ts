import { In, type DataSource, type EntityManager } from 'typeorm';
import { MigrationStateChanged, type MigrationType } from '@nova/compute-rpc';
import { Migration } from '../entities';

/** A new migration record (Nova's Migration.create). */
export interface NewMigration {
  readonly uuid: string;
  readonly instance_uuid: string;
  readonly migration_type: MigrationType;
  readonly status: string;
  readonly source_compute: string;
  readonly source_node: string | null;
  readonly dest_compute: string | null;
  readonly old_instance_type_id: number | null;
  readonly new_instance_type_id: number | null;
  readonly user_id: string | null;
  readonly project_id: string | null;
}

/** What a status swap may set besides the status. */
export interface MigrationChanges {
  readonly dest_compute?: string;
  readonly dest_node?: string;
  readonly dest_host?: string;
  /** The destination is in another cell (the record is copied there). */
  readonly cross_cell_move?: boolean;
}

/**
 * Writes to one cell's migration records. Every status change is a
 * compare-and-swap on the status the writer expects, so a confirm racing the
 * auto-confirm, or an abort racing the host's next step, has one winner.
 */
export class MigrationWriter {
  constructor(private readonly ds: DataSource) {}

  /** Insert the record; returns its cell-local id. */
  async create(m: NewMigration): Promise<number> {
    const now = new Date();
    const result = await this.ds.getRepository(Migration).insert({
      ...m,
      dest_node: null,
      dest_host: null,
      hidden: false,
      cross_cell_move: false,
      created_at: now,
      updated_at: now,
      deleted: 0,
    });
    return Number(result.identifiers[0]?.['id']);
  }

  /**
   * Set the status (and destination) only while the status is one of
   * `expected` ('any': whatever it is). MigrationStateChanged otherwise.
   */
  async swapStatus(
    uuid: string,
    expected: readonly string[] | 'any',
    status: string,
    changes: MigrationChanges = {},
  ): Promise<void> {
    return swapMigrationStatus(this.ds.manager, uuid, expected, status, changes);
  }
}

/** The status swap on a given manager (inside another writer's transaction). */
export async function swapMigrationStatus(
  manager: EntityManager,
  uuid: string,
  expected: readonly string[] | 'any',
  status: string,
  changes: MigrationChanges = {},
): Promise<void> {
  const result = await manager
    .getRepository(Migration)
    .update(
      { uuid, deleted: 0, ...(expected === 'any' ? {} : { status: In([...expected]) }) },
      { ...changes, status, updated_at: new Date() },
    );
  if ((result.affected ?? 0) === 0) {
    const current = await manager.getRepository(Migration).findOneBy({ uuid, deleted: 0 });
    throw new MigrationStateChanged(
      `Migration ${uuid} is ${current?.status ?? 'gone'}, not ${
        expected === 'any' ? 'any' : expected.join(' or ')
      }`,
      { migration_uuid: uuid, actual: current?.status ?? null },
    );
  }
}
