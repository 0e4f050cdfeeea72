import { Inject, Injectable } from '@nestjs/common';
import { CellRouter, cellLabel } from '@nova/cell-router';
import { cellDb } from '@nova/cells/db';
import { Invalid, type RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import {
  compareMigrations,
  mergeSorted,
  type MigrationListQuery,
  type MigrationRecord,
} from '@nova/servers';

const log = getLogger('api.migrations');

/** Nova's 400 for a migration marker no cell knows. */
export class MigrationMarkerNotFound extends Invalid {
  constructor(marker: string) {
    super(`Marker ${marker} could not be found.`, { marker });
  }
}

/**
 * os-migrations across cells: the marker found in whichever cell has it, each
 * cell's page after it (keyset, newest first), merged and cut. A cell that
 * does not answer within `[cells] cell_list_timeout` is left out and logged.
 */
@Injectable()
export class MigrationListing {
  constructor(
    private readonly router: CellRouter,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  async list(ctx: RequestContext, query: MigrationListQuery): Promise<MigrationRecord[]> {
    const cells = await this.router.cells();
    const timeoutMs = this.config.cells.cell_list_timeout * 1000;
    let after = query.after;
    if (query.marker !== undefined) {
      const found = await this.router.scatterGather(
        ctx,
        cells,
        async (cctx) => (await cellDb(cctx)).migrations.byUuid(query.marker!),
        { timeoutMs },
      );
      let marker: MigrationRecord | null = null;
      for (const result of found.values()) {
        if (result.status === 'ok' && result.value) {
          marker = result.value;
        }
      }
      if (!marker) {
        throw new MigrationMarkerNotFound(query.marker);
      }
      after = { createdAt: marker.created_at, uuid: marker.uuid };
    }
    const cellQuery: MigrationListQuery = { ...query, ...(after ? { after } : {}) };
    const results = await this.router.scatterGather(
      ctx,
      cells,
      async (cctx) => (await cellDb(cctx)).migrations.list(cellQuery),
      { timeoutMs },
    );
    const lists: MigrationRecord[][] = [];
    for (const cell of cells) {
      const result = results.get(cell.uuid);
      if (result?.status === 'ok') {
        lists.push(result.value);
      } else {
        log.warn(
          { cell: cellLabel(cell), result: result?.status },
          'cell left out of the migrations',
        );
      }
    }
    return mergeSorted(lists, compareMigrations, query.limit ?? Number.MAX_SAFE_INTEGER);
  }
}
