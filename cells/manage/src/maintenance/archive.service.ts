import { Inject, Injectable } from '@nestjs/common';
import { ApiDatabase, CellMappingRepository } from '@nova/api-db';
import { CellRouter } from '@nova/cell-router';
import {
  archiveDeletedRows,
  chunks,
  inTransaction,
  loadArchiveSchema,
  placeholders,
  purgeShadowTables,
} from '@nova/cells/db';
import { sleep } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { CellDatabases, type CellDatabase } from './cell-databases';

/** The API database could not be read (Nova's exit 3 for archive, 4 for purge). */
export class ApiDatabaseUnreachable extends Error {}

/** API records of an instance that go when it is archived (Nova's, and stale build requests). */
const API_TABLES = ['instance_mappings', 'request_specs', 'instance_group_member'] as const;

export interface ArchiveRequest {
  readonly maxRows: number;
  readonly untilComplete: boolean;
  readonly before?: Date;
  readonly allCells: boolean;
  readonly taskLog: boolean;
  readonly sleepSeconds: number;
  /** Once the API database has answered, before the first batch. */
  readonly onStart?: () => void;
  /** After each batch that moved rows, when running until complete. */
  readonly onBatch?: () => void;
  /** Checked between batches: true stops the run (Ctrl-C). */
  readonly stopRequested?: () => boolean;
}

export interface ArchiveReport {
  /** Rows archived by `table`, `cell.table` (all cells) or `API_DB.table`. */
  readonly rows: Record<string, number>;
  readonly failures: Array<{ readonly label: string; readonly error: unknown }>;
  readonly interrupted: boolean;
}

export interface PurgeRequest {
  readonly before: Date | null;
  readonly allCells: boolean;
  readonly status: (message: string) => void;
}

/** `db archive_deleted_rows` and `db purge` across cell databases. */
@Injectable()
export class ArchiveService {
  constructor(
    private readonly router: CellRouter,
    private readonly cellMappings: CellMappingRepository,
    private readonly api: ApiDatabase,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  /**
   * Nova's archive: per target database, batches of up to `maxRows` (once, or
   * until a batch moves nothing); without --until-complete the limit is a total
   * across cells. The API database is read first: it must be reachable to
   * remove the mappings of archived instances.
   */
  async archive(request: ArchiveRequest): Promise<ArchiveReport> {
    const dbs = new CellDatabases(this.router, this.cellMappings, this.config);
    const cells = await dbs.mapped().catch((err: unknown) => {
      throw new ApiDatabaseUnreachable(String(err));
    });
    request.onStart?.();
    const rows: Record<string, number> = {};
    const failures: ArchiveReport['failures'] = [];
    let interrupted = false;
    let total = 0;
    try {
      for (const target of request.allCells ? cells : [dbs.local()]) {
        let maxRows = request.maxRows;
        if (!request.untilComplete) {
          if (request.maxRows <= total) {
            break;
          }
          maxRows = request.maxRows - total;
        }
        const prefix = request.allCells ? `${target.cell?.name ?? target.cell?.uuid}.` : '';
        try {
          const done = await this.archiveIn(dbs, target, { ...request, maxRows }, prefix, rows);
          total += done.total;
          interrupted = done.interrupted;
        } catch (error) {
          failures.push({ label: target.label, error });
        }
        if (interrupted) {
          break;
        }
      }
    } finally {
      await dbs.close();
    }
    return { rows, failures, interrupted };
  }

  /** `db purge`: rows deleted from the shadow tables of one or every cell database. */
  async purge(request: PurgeRequest): Promise<number> {
    const dbs = new CellDatabases(this.router, this.cellMappings, this.config);
    try {
      const targets = request.allCells
        ? await dbs.mapped().catch((err: unknown) => {
            throw new ApiDatabaseUnreachable(String(err));
          })
        : [dbs.local()];
      let deleted = 0;
      for (const target of targets) {
        const identity = target.cell ? `Cell ${target.label}` : 'DB';
        deleted += await purgeShadowTables(await dbs.dataSource(target), request.before, (m) =>
          request.status(`${identity}: ${m}`),
        );
      }
      return deleted;
    } finally {
      await dbs.close();
    }
  }

  private async archiveIn(
    dbs: CellDatabases,
    target: CellDatabase,
    request: ArchiveRequest,
    prefix: string,
    rows: Record<string, number>,
  ): Promise<{ total: number; interrupted: boolean }> {
    const ds = await dbs.dataSource(target);
    const schema = await loadArchiveSchema(ds);
    for (;;) {
      const apiRows: Record<string, number> = {};
      const batch = await archiveDeletedRows(ds, schema, {
        maxRows: request.maxRows,
        taskLog: request.taskLog,
        ...(request.before ? { before: request.before } : {}),
        onInstances: (uuids) => this.removeApiRecords(uuids, apiRows),
      });
      for (const [table, count] of Object.entries(batch.tables)) {
        rows[prefix + table] = (rows[prefix + table] ?? 0) + count;
      }
      for (const [table, count] of Object.entries(apiRows)) {
        rows[table] = (rows[table] ?? 0) + count;
      }
      if (!request.untilComplete || batch.total === 0) {
        return { total: batch.total, interrupted: false };
      }
      request.onBatch?.();
      if (request.stopRequested?.()) {
        return { total: batch.total, interrupted: true };
      }
      await sleep(request.sleepSeconds * 1000);
    }
  }

  /**
   * The API records of archived instances, in one API transaction that runs
   * inside the cell's (so a failure here leaves the instances to be archived
   * again); their cached mappings are dropped too.
   */
  private async removeApiRecords(uuids: string[], rows: Record<string, number>): Promise<void> {
    const counts = await inTransaction(await this.api.get(), async (run) => {
      const removed: Record<string, number> = {};
      for (const table of [...API_TABLES, 'build_requests']) {
        removed[table] = 0;
        for (const slice of chunks(uuids)) {
          const { affected } = await run(
            `DELETE FROM ${table} WHERE instance_uuid IN (${placeholders(slice.length)})`,
            slice,
          );
          removed[table] += affected;
        }
      }
      return removed;
    });
    for (const [table, count] of Object.entries(counts)) {
      // Nova lists its three tables whenever instances were archived; stale build requests only when found.
      if (count > 0 || (API_TABLES as readonly string[]).includes(table)) {
        rows[`API_DB.${table}`] = (rows[`API_DB.${table}`] ?? 0) + count;
      }
    }
    await Promise.all(uuids.map((uuid) => this.router.mappings.forget(uuid)));
  }
}
