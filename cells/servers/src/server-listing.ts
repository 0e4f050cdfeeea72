import { Inject, Injectable } from '@nestjs/common';
import { ApiDatabase } from '@nova/api-db';
import { CellRouter, cellLabel, type Cell } from '@nova/cell-router';
import {
  cellDb,
  filtersOnRecords,
  placeholders,
  sqlDate,
  type CellListQuery,
} from '@nova/cells/db';
import { Invalid, type RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import {
  BuildRequests,
  cellBatchSize,
  compareServers,
  mergeBatched,
  wholeSource,
  type BatchedSource,
  type ListedRecords,
  type ServerListing as Listing,
  type ServerListQuery,
  type ServerRecord,
  type UnknownServer,
} from '@nova/servers';
import { buildRequestMatches } from './build-request-filter';
import { buildRequestRecord } from './build-request-record';
import { ServerLookup } from './server-lookup';

type Compare = (a: ServerRecord | UnknownServer, b: ServerRecord | UnknownServer) => number;

/** Nova's "marker [x] not found" (400). */
export class MarkerNotFound extends Invalid {
  constructor(marker: string) {
    super(`marker [${marker}] not found`, { marker });
  }
}

/** A cell that did not answer a listing when `[api] list_records_by_skipping_down_cells` is false. */
export class CellDown extends Error {}

/**
 * GET /servers across cells: every cell is asked at once for its first `limit`
 * servers after the marker in the requested order, the build requests are
 * filtered the same way, and the sorted lists are merged (k-way) and cut.
 * A cell that does not answer within `[cells] cell_list_timeout` is skipped,
 * or shown as minimal UNKNOWN records (2.69).
 */
@Injectable()
export class ServerListing {
  constructor(
    private readonly router: CellRouter,
    private readonly builds: BuildRequests,
    private readonly apiDb: ApiDatabase,
    private readonly lookup: ServerLookup,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  async list(ctx: RequestContext, query: ServerListQuery): Promise<Listing> {
    if (query.matchesNothing) {
      return { servers: [], failedCells: [] };
    }
    const projectId = query.allTenants ? query.projectId : (ctx.projectId ?? '');
    const [marker, flavorId, cells] = await Promise.all([
      query.marker === undefined ? undefined : this.resolveMarker(ctx, query.marker),
      query.flavor === undefined ? undefined : this.flavorId(query.flavor),
      this.cellsToAsk(projectId),
    ]);
    const { marker: _m, flavor: _f, allTenants: _a, ...filters } = query;
    const cellQuery: CellListQuery = {
      ...filters,
      ...(projectId !== undefined ? { projectId } : {}),
      ...(flavorId !== undefined ? { flavorId } : {}),
      ...(marker ? { marker } : {}),
    };
    const compare = compareServers(query.sort) as Compare;
    const { instance_list_cells_batch_strategy: strategy, instance_list_cells_batch_fixed_size } =
      this.config.api;
    const batch = cellBatchSize(
      strategy,
      instance_list_cells_batch_fixed_size,
      query.limit,
      cells.length,
    );
    const batchQuery: CellListQuery = { ...cellQuery, limit: batch };
    // The cells' rows come bare and only the servers the merge keeps get their
    // records (flavor, addresses, metadata...): a page of 50 over 2 cells reads
    // 100 rows but records for 50. Address filters need the records to match.
    const recordsLater = !filtersOnRecords(query);
    const [results, pending] = await Promise.all([
      this.router.scatterGather(
        ctx,
        cells,
        async (cctx) => (await cellDb(cctx)).servers.list(batchQuery, !recordsLater),
        { timeoutMs: this.config.cells.cell_list_timeout * 1000 },
      ),
      this.pendingBuilds(query, projectId, marker, compare),
    ]);
    const sources: Array<BatchedSource<ServerRecord | UnknownServer>> = [wholeSource(pending)];
    const failed: Cell[] = [];
    const failedLater: Cell[] = [];
    for (const cell of cells) {
      const result = results.get(cell.uuid);
      if (result?.status === 'ok') {
        sources.push({
          first: result.value,
          batchSize: batch,
          next: (last) =>
            this.nextBatch(
              ctx,
              cell,
              { ...batchQuery, marker: last as ServerRecord },
              !recordsLater,
              failedLater,
            ),
        });
      } else {
        failed.push(cell);
      }
    }
    if (failed.length > 0) {
      if (query.downCellMinimal) {
        sources.push(wholeSource(await this.unknownServers(failed, projectId, marker, compare)));
      } else if (!this.config.api.list_records_by_skipping_down_cells) {
        throw new CellDown(`Cells did not respond: ${failed.map(cellLabel).join(', ')}`);
      }
    }
    // A cross-cell move shows and hides its two copies one after the other (two
    // databases, no common transaction): for that instant a server is kept once.
    const seen = new Set<string>();
    const merged = await mergeBatched(
      sources,
      compare,
      query.limit,
      (s) => !seen.has(s.uuid) && seen.add(s.uuid) !== undefined,
    );
    // A brief list shows ids and names: its servers stay bare.
    const shown = query.records ?? 'all';
    const servers =
      recordsLater && shown !== 'none'
        ? await this.completeRecords(ctx, merged, cells, failedLater, shown)
        : merged;
    return {
      servers,
      failedCells: [...failed, ...failedLater].map((c) => c.uuid),
    };
  }

  /**
   * The merged page with the records of its servers from cells, read from each
   * of their cells at once. A cell that fails now counts as one that failed
   * midway: the list fails, or, when down cells are skipped, its servers go.
   */
  private async completeRecords(
    ctx: RequestContext,
    merged: ReadonlyArray<ServerRecord | UnknownServer>,
    cells: readonly Cell[],
    failedLater: Cell[],
    shown: ListedRecords,
  ): Promise<Array<ServerRecord | UnknownServer>> {
    // Build requests have no cell; a silent cell's minimal records no vm_state.
    const fromCell = (s: ServerRecord | UnknownServer): s is ServerRecord =>
      'vm_state' in s && s.cell_uuid !== null;
    const bare = new Map<string, ServerRecord[]>();
    for (const s of merged.filter(fromCell)) {
      const list = bare.get(s.cell_uuid ?? '');
      if (list) {
        list.push(s);
      } else {
        bare.set(s.cell_uuid ?? '', [s]);
      }
    }
    const asked = cells.filter((c) => bare.has(c.uuid));
    if (asked.length === 0) {
      return [...merged];
    }
    const results = await this.router.scatterGather(
      ctx,
      asked,
      async (cctx) => (await cellDb(cctx)).servers.complete(bare.get(cctx.cell.uuid) ?? [], shown),
      { timeoutMs: this.config.cells.cell_list_timeout * 1000 },
    );
    const complete = new Map<string, ServerRecord>();
    for (const cell of asked) {
      const result = results.get(cell.uuid);
      if (result?.status === 'ok') {
        result.value.forEach((s) => complete.set(s.uuid, s));
      } else if (!this.config.api.list_records_by_skipping_down_cells) {
        throw new CellDown(`Cells did not respond: ${cellLabel(cell)}`);
      } else {
        failedLater.push(cell);
      }
    }
    return merged.flatMap((s): Array<ServerRecord | UnknownServer> => {
      const found = fromCell(s) ? complete.get(s.uuid) : s;
      return found ? [found] : [];
    });
  }

  /**
   * A cell's next batch (`query` holds the cell's own last row as its marker).
   * A cell that stops answering midway fails the list as a silent one would,
   * or, when down cells are skipped, ends there: what it gave so far stays in
   * the page.
   */
  private async nextBatch(
    ctx: RequestContext,
    cell: Cell,
    query: CellListQuery,
    withRecords: boolean,
    failedLater: Cell[],
  ): Promise<ServerRecord[] | null> {
    const result = (
      await this.router.scatterGather(
        ctx,
        [cell],
        async (cctx) => (await cellDb(cctx)).servers.list(query, withRecords),
        { timeoutMs: this.config.cells.cell_list_timeout * 1000 },
      )
    ).get(cell.uuid);
    if (result?.status === 'ok') {
      return result.value;
    }
    if (!this.config.api.list_records_by_skipping_down_cells) {
      throw new CellDown(`Cells did not respond: ${cellLabel(cell)}`);
    }
    failedLater.push(cell);
    return null;
  }

  /** The marker's sort values, wherever it lives (deleted ones too: a page may end on one). */
  private async resolveMarker(ctx: RequestContext, uuid: string): Promise<ServerRecord> {
    const found = await this.lookup.find(ctx, uuid, { withDeleted: true }).catch(() => null);
    if (!found || !('flavor' in found) || !('vm_state' in found)) {
      throw new MarkerNotFound(uuid);
    }
    return found;
  }

  /**
   * The cells a list asks: every cell, or, with `[api]
   * instance_list_per_project_cells` and a list confined to one project, the
   * cells its instance mappings name (cell0 only when it holds one of them).
   * A server not yet scheduled has no cell in its mapping: its build request
   * lists it.
   */
  private async cellsToAsk(projectId: string | undefined): Promise<readonly Cell[]> {
    if (!this.config.api.instance_list_per_project_cells || projectId === undefined) {
      return this.router.cells();
    }
    const [cells, ids] = await Promise.all([this.router.cells(), this.projectCellIds(projectId)]);
    return cells.filter((c) => ids.has(c.id));
  }

  /** The ids of the cells the project's instances are mapped to (an index-only read). */
  private async projectCellIds(projectId: string): Promise<Set<number>> {
    const ds = await this.apiDb.get();
    const rows = await ds.query<Array<{ cell_id: number | string }>>(
      'SELECT DISTINCT cell_id FROM instance_mappings WHERE project_id = ? AND cell_id IS NOT NULL',
      [projectId],
    );
    return new Set(rows.map((r) => Number(r.cell_id)));
  }

  /** The flavor's API-database id; null when no such flavor (nothing matches then). */
  private async flavorId(flavorid: string): Promise<number | null> {
    const ds = await this.apiDb.get();
    const rows = await ds.query<Array<{ id: number }>>(
      'SELECT id FROM flavors WHERE flavorid = ?',
      [flavorid],
    );
    return rows[0] ? Number(rows[0].id) : null;
  }

  private async pendingBuilds(
    query: ServerListQuery,
    projectId: string | undefined,
    marker: ServerRecord | undefined,
    compare: Compare,
  ): Promise<ServerRecord[]> {
    if (query.deleted === true) {
      return [];
    }
    const records = (await this.builds.list(projectId))
      .map(buildRequestRecord)
      .filter((s) => buildRequestMatches(s, query, projectId))
      .filter((s) => !marker || compare(s, marker) > 0)
      .sort(compare);
    return records.slice(0, query.limit);
  }

  /** What is known of a silent cell's servers: their mappings (2.69 minimal records). */
  private async unknownServers(
    cells: readonly Cell[],
    projectId: string | undefined,
    marker: ServerRecord | undefined,
    compare: Compare,
  ): Promise<UnknownServer[]> {
    const ds = await this.apiDb.get();
    const params: unknown[] = cells.map((c) => c.id);
    let sql = `SELECT instance_uuid, project_id, created_at, cell_id FROM instance_mappings
                WHERE cell_id IN (${placeholders(cells.length)}) AND queued_for_delete = 0`;
    if (projectId !== undefined) {
      sql += ' AND project_id = ?';
      params.push(projectId);
    }
    const rows = await ds.query<
      Array<{
        instance_uuid: string;
        project_id: string;
        created_at: string | Date;
        cell_id: number;
      }>
    >(sql, params);
    const byId = new Map(cells.map((c) => [c.id, c.uuid]));
    return rows
      .map((r) => ({
        uuid: r.instance_uuid,
        project_id: r.project_id,
        created_at: sqlDate(r.created_at) ?? new Date(0),
        cell_uuid: byId.get(Number(r.cell_id)) ?? '',
      }))
      .filter((s) => !marker || compare(s, marker) > 0)
      .sort((a, b) => compare(a, b));
  }
}
