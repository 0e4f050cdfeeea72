import { Inject, Injectable } from '@nestjs/common';
import { API_MIGRATIONS, CELL0_UUID, CellMappingRepository } from '@nova/api-db';
import { CELL_MIGRATIONS } from '@nova/cells/db';
import { toCell, cellLabel } from '@nova/cell-router';
import { Invalid } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import {
  closeDataSource,
  ensureDatabaseExists,
  migrateTo,
  openDataSource,
  schemaVersion,
  type MigrationClass,
} from '@nova/database';

export type CellSyncResult =
  | { readonly label: string; readonly ok: true; readonly from: number; readonly to: number }
  | { readonly label: string; readonly ok: false; readonly error: unknown };

export interface CellsSyncReport {
  /** Set when the cell0 mapping does not exist (its sync was skipped). */
  readonly cell0Missing: boolean;
  /** cell0's failure, reported apart because `db sync` stops on it (exit 1). */
  readonly cell0Error?: unknown;
  readonly results: readonly CellSyncResult[];
}

/** `api_db sync|version` and `db sync|version`: versioned schemas per database. */
@Injectable()
export class SchemaSyncService {
  constructor(
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    private readonly cellMappings: CellMappingRepository,
  ) {}

  private get connectTimeoutMs(): number {
    return this.config.cells.connect_timeout * 1000;
  }

  private apiUrl(): string {
    const url = this.config.api_database.connection;
    if (!url) {
      throw new Invalid('[api_database] connection is not set in the configuration');
    }
    return url;
  }

  private localCellUrl(): string {
    const url = this.config.database.connection;
    if (!url) {
      throw new Invalid('[database] connection is not set in the configuration');
    }
    return url;
  }

  async syncApi(version?: number): Promise<{ from: number; to: number }> {
    return this.sync(this.apiUrl(), API_MIGRATIONS, version);
  }

  apiVersion(): Promise<number> {
    return this.versionOf(this.apiUrl());
  }

  localCellVersion(): Promise<number> {
    return this.versionOf(this.localCellUrl());
  }

  /**
   * `db sync`: cell0 first (a failure there stops everything, as in Nova), then
   * every other mapped cell, then `[database] connection` if it is not one of
   * them. With `localCell`, only `[database] connection`.
   */
  async syncCells(options: { localCell: boolean; version?: number }): Promise<CellsSyncReport> {
    const results: CellSyncResult[] = [];
    if (options.localCell) {
      results.push(
        await this.syncOne('[database] connection', this.localCellUrl(), options.version),
      );
      return { cell0Missing: false, results };
    }
    let cells;
    try {
      cells = (await this.cellMappings.list()).map((m) => toCell(m, this.config));
    } catch (error) {
      return { cell0Missing: false, cell0Error: error, results };
    }
    const cell0 = cells.find((c) => c.uuid === CELL0_UUID);
    if (cell0) {
      const result = await this.syncOne(
        cellLabel(cell0),
        cell0.databaseConnection,
        options.version,
      );
      if (!result.ok) {
        return { cell0Missing: false, cell0Error: result.error, results };
      }
      results.push(result);
    }
    const seen = new Set(cells.map((c) => c.databaseConnection));
    for (const cell of cells.filter((c) => c.uuid !== CELL0_UUID)) {
      results.push(await this.syncOne(cellLabel(cell), cell.databaseConnection, options.version));
    }
    const local = this.config.database.connection;
    if (local && !seen.has(local)) {
      results.push(await this.syncOne('[database] connection', local, options.version));
    }
    return { cell0Missing: !cell0, results };
  }

  private async syncOne(label: string, url: string, version?: number): Promise<CellSyncResult> {
    try {
      return { label, ok: true, ...(await this.sync(url, CELL_MIGRATIONS, version)) };
    } catch (error) {
      return { label, ok: false, error };
    }
  }

  private async sync(url: string, migrations: readonly MigrationClass[], version?: number) {
    await ensureDatabaseExists(url, this.connectTimeoutMs);
    return migrateTo(url, migrations, version);
  }

  private async versionOf(url: string): Promise<number> {
    const ds = await openDataSource(url, {
      entities: [],
      poolSize: 1,
      connectTimeoutMs: this.connectTimeoutMs,
      idleTimeoutMs: 1000,
    });
    try {
      return await schemaVersion(ds);
    } finally {
      await closeDataSource(ds);
    }
  }
}
