import type { DataSource } from 'typeorm';
import type { CellMappingRepository } from '@nova/api-db';
import { cellLabel, toCell, type Cell, type CellRouter } from '@nova/cell-router';
import { CELL_MIGRATIONS } from '@nova/cells/db';
import { adminContext, Invalid } from '@nova/common';
import type { NovaConfig } from '@nova/config';
import { closeDataSource, latestVersion, openDataSource, schemaVersion } from '@nova/database';

/** A cell database a maintenance command works on: a mapped cell or `[database] connection`. */
export interface CellDatabase {
  /** For messages: `name(uuid)` of a cell, `[database] connection` otherwise. */
  readonly label: string;
  /** The mapped cell, if it is one. */
  readonly cell?: Cell;
}

/**
 * The cell databases of one nova-manage command, each opened on first use and
 * kept open until `close()`: mapped cells through the router (which refuses a
 * schema that is behind), `[database] connection` on a connection of its own,
 * checked the same way.
 */
export class CellDatabases {
  private readonly opened = new Map<CellDatabase, Promise<DataSource>>();

  constructor(
    private readonly router: CellRouter,
    private readonly mappings: CellMappingRepository,
    private readonly config: NovaConfig,
  ) {}

  /** Every mapped cell, oldest first (throws when the API database cannot be read). */
  async mapped(): Promise<CellDatabase[]> {
    return (await this.mappings.list()).map((m) => {
      const cell = toCell(m, this.config);
      return { label: cellLabel(cell), cell };
    });
  }

  /** `[database] connection`: Nova's target without --all-cells. */
  local(): CellDatabase {
    this.localUrl();
    return { label: '[database] connection' };
  }

  /** Every mapped cell, then `[database] connection` if it is none of them (as `db sync` does). */
  async everywhere(): Promise<CellDatabase[]> {
    const cells = await this.mapped();
    const local = this.config.database.connection;
    const isMapped = cells.some((c) => c.cell?.databaseConnection === local);
    return local && !isMapped ? [...cells, this.local()] : cells;
  }

  dataSource(target: CellDatabase): Promise<DataSource> {
    let ds = this.opened.get(target);
    if (!ds) {
      ds = target.cell
        ? this.router.targetCell(adminContext(), target.cell).cell.db()
        : this.openLocal();
      this.opened.set(target, ds);
    }
    return ds;
  }

  async close(): Promise<void> {
    for (const [target, ds] of this.opened) {
      if (target.cell) {
        await this.router.pool.release(target.cell.uuid);
      } else {
        await closeDataSource(await ds.catch(() => undefined));
      }
    }
    this.opened.clear();
  }

  private localUrl(): string {
    const url = this.config.database.connection;
    if (!url) {
      throw new Invalid('[database] connection is not set in the configuration');
    }
    return url;
  }

  private async openLocal(): Promise<DataSource> {
    const ds = await openDataSource(this.localUrl(), {
      entities: [],
      poolSize: 1,
      connectTimeoutMs: this.config.cells.connect_timeout * 1000,
      idleTimeoutMs: 10_000,
    });
    const have = await schemaVersion(ds);
    const want = latestVersion(CELL_MIGRATIONS);
    if (have < want) {
      await closeDataSource(ds);
      throw new Invalid(
        `The [database] connection schema is at version ${have}, expected ${want}: run "nova-manage db sync"`,
      );
    }
    return ds;
  }
}
