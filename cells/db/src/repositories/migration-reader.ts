import type { DataSource } from 'typeorm';
import { sqlTimestamp } from '@nova/database';
import type { MigrationListQuery, MigrationRecord } from '@nova/servers';
import { sqlDate } from './instance-rows';

const COLUMNS = [
  'id',
  'uuid',
  'source_compute',
  'dest_compute',
  'source_node',
  'dest_node',
  'dest_host',
  'old_instance_type_id',
  'new_instance_type_id',
  'instance_uuid',
  'status',
  'migration_type',
  'hidden',
  'cross_cell_move',
  'user_id',
  'project_id',
  'created_at',
  'updated_at',
];

/** One cell's migration records (moves of its instances), filtered and paged by keyset. */
export class MigrationReader {
  constructor(
    private readonly ds: DataSource,
    private readonly cellUuid: string,
  ) {}

  /** Newest first (created_at, then uuid, both descending: the order the merge across cells keeps). */
  async list(query: MigrationListQuery): Promise<MigrationRecord[]> {
    const where: string[] = ['deleted = 0'];
    const params: unknown[] = [];
    const eq = (column: string, value: string | undefined) => {
      if (value !== undefined) {
        where.push(`${column} = ?`);
        params.push(value);
      }
    };
    if (query.hidden !== undefined) {
      where.push(query.hidden ? 'hidden = 1' : '(hidden = 0 OR hidden IS NULL)');
    }
    if (query.host !== undefined) {
      where.push('(source_compute = ? OR dest_compute = ?)');
      params.push(query.host, query.host);
    }
    eq('instance_uuid', query.instanceUuid);
    eq('source_compute', query.sourceCompute);
    eq('status', query.status);
    eq('migration_type', query.migrationType);
    eq('user_id', query.userId);
    eq('project_id', query.projectId);
    if (query.changesSince) {
      where.push('updated_at >= ?');
      params.push(sqlTimestamp(this.ds, query.changesSince));
    }
    if (query.changesBefore) {
      where.push('updated_at <= ?');
      params.push(sqlTimestamp(this.ds, query.changesBefore));
    }
    if (query.after) {
      where.push('(created_at < ? OR (created_at = ? AND uuid < ?))');
      const at = sqlTimestamp(this.ds, query.after.createdAt);
      params.push(at, at, query.after.uuid);
    }
    const limit = query.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(query.limit))}`;
    const rows = await this.ds.query<Array<Record<string, unknown>>>(
      `SELECT ${COLUMNS.join(', ')} FROM migrations WHERE ${where.join(' AND ')} ORDER BY created_at DESC, uuid DESC${limit}`,
      params,
    );
    return rows.map((r) => this.record(r));
  }

  async byUuid(uuid: string): Promise<MigrationRecord | null> {
    const rows = await this.ds.query<Array<Record<string, unknown>>>(
      `SELECT ${COLUMNS.join(', ')} FROM migrations WHERE uuid = ? AND deleted = 0`,
      [uuid],
    );
    return rows[0] ? this.record(rows[0]) : null;
  }

  /** The instance's migrations, newest first (only those in `statuses` and of `type` when given). */
  async forInstance(
    instanceUuid: string,
    filter: { statuses?: readonly string[]; type?: string } = {},
  ): Promise<MigrationRecord[]> {
    const where = ['instance_uuid = ?', 'deleted = 0'];
    const params: unknown[] = [instanceUuid];
    if (filter.statuses) {
      where.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`);
      params.push(...filter.statuses);
    }
    if (filter.type) {
      where.push('migration_type = ?');
      params.push(filter.type);
    }
    const rows = await this.ds.query<Array<Record<string, unknown>>>(
      `SELECT ${COLUMNS.join(', ')} FROM migrations WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC`,
      params,
    );
    return rows.map((r) => this.record(r));
  }

  async byId(id: number): Promise<MigrationRecord | null> {
    const rows = await this.ds.query<Array<Record<string, unknown>>>(
      `SELECT ${COLUMNS.join(', ')} FROM migrations WHERE id = ? AND deleted = 0`,
      [id],
    );
    return rows[0] ? this.record(rows[0]) : null;
  }

  /** Resizes and cold migrations waiting for a confirmation since before `cutoff`. */
  async unconfirmed(cutoff: Date): Promise<MigrationRecord[]> {
    const rows = await this.ds.query<Array<Record<string, unknown>>>(
      `SELECT ${COLUMNS.join(', ')} FROM migrations WHERE status = 'finished' AND deleted = 0 AND (cross_cell_move = 0 OR cross_cell_move IS NULL) AND updated_at < ? ORDER BY updated_at`,
      [sqlTimestamp(this.ds, cutoff)],
    );
    return rows.map((r) => this.record(r));
  }

  /** Evacuations away from `host` that are done (the host still has to clean up after them). */
  async evacuationsFrom(host: string): Promise<MigrationRecord[]> {
    const rows = await this.ds.query<Array<Record<string, unknown>>>(
      `SELECT ${COLUMNS.join(', ')} FROM migrations WHERE migration_type = 'evacuation' AND status = 'done' AND source_compute = ? AND deleted = 0`,
      [host],
    );
    return rows.map((r) => this.record(r));
  }

  private record(r: Record<string, unknown>): MigrationRecord {
    const text = (k: string) => {
      const value = r[k];
      return typeof value === 'string' ? value : null;
    };
    const int = (k: string) => (r[k] === null || r[k] === undefined ? null : Number(r[k]));
    return {
      id: Number(r['id']),
      uuid: String(r['uuid']),
      source_compute: text('source_compute'),
      dest_compute: text('dest_compute'),
      source_node: text('source_node'),
      dest_node: text('dest_node'),
      dest_host: text('dest_host'),
      old_instance_type_id: int('old_instance_type_id'),
      new_instance_type_id: int('new_instance_type_id'),
      instance_uuid: text('instance_uuid'),
      status: text('status'),
      migration_type: text('migration_type') ?? 'migration',
      hidden: Boolean(r['hidden']),
      cross_cell_move: Boolean(r['cross_cell_move']),
      user_id: text('user_id'),
      project_id: text('project_id'),
      created_at: sqlDate(r['created_at']) ?? new Date(0),
      updated_at: sqlDate(r['updated_at']),
      cell_uuid: this.cellUuid,
    };
  }
}
