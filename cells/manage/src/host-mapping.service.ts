import { Injectable } from '@nestjs/common';
import { CELL0_UUID, CellMappingRepository, HostMappingRepository } from '@nova/api-db';
import { CellRouter, isCell0, type Cell } from '@nova/cell-router';
import { cellDb } from '@nova/cells/db';
import { adminContext } from '@nova/common';
import { sweepCells, type SweepResult } from './cell-sweep';

/** What discovery did, as it happens (the CLI prints these with --verbose). */
export type DiscoveryEvent =
  | { readonly type: 'cells-found'; readonly count: number }
  | { readonly type: 'skip-cell0' }
  | { readonly type: 'cell-start'; readonly cell: Cell }
  | { readonly type: 'checking'; readonly host: string; readonly nodeUuid: string }
  | { readonly type: 'mapping-node'; readonly host: string; readonly nodeUuid: string }
  | { readonly type: 'mapping-service'; readonly host: string }
  | { readonly type: 'cell-done'; readonly cell: Cell; readonly mapped: number };

export interface DiscoveryOptions {
  cellUuid?: string;
  byService: boolean;
  onEvent?: (event: DiscoveryEvent) => void;
  /** Close each cell's connections after its scan (the CLI); a service keeps its shared pools. */
  releaseConnections?: boolean;
}

export interface HostRow {
  readonly cellName: string | null;
  readonly cellUuid: string;
  readonly host: string;
}

export type DeleteHostOutcome =
  'deleted' | 'cell_not_found' | 'host_not_found' | 'wrong_cell' | 'has_instances';

/** Host mappings: discover compute hosts in cell databases, list and delete them. */
@Injectable()
export class HostMappingService {
  constructor(
    private readonly router: CellRouter,
    private readonly cells: CellMappingRepository,
    private readonly hosts: HostMappingRepository,
  ) {}

  /**
   * Map every unmapped compute node (or nova-compute service) of each cell to it.
   * Per cell, the number of hosts mapped, or the error that stopped that cell. A
   * host mapped concurrently by someone else raises HostMappingExists.
   */
  async discover(options: DiscoveryOptions): Promise<Array<SweepResult<number>>> {
    const emit = options.onEvent ?? (() => undefined);
    let cells: readonly Cell[];
    if (options.cellUuid) {
      cells = [await this.router.cell(options.cellUuid)];
    } else {
      cells = await this.router.cells();
      emit({ type: 'cells-found', count: cells.length });
    }
    const targets = cells.filter((cell) => {
      if (isCell0(cell)) {
        emit({ type: 'skip-cell0' });
      }
      return !isCell0(cell);
    });
    return sweepCells(
      this.router,
      targets,
      async (ctx, cell) => {
        emit({ type: 'cell-start', cell });
        const db = await cellDb(ctx);
        let mapped = 0;
        if (options.byService) {
          for (const service of await db.services.listByBinary('nova-compute')) {
            if (service.host && !(await this.hosts.findByHost(service.host))) {
              emit({ type: 'mapping-service', host: service.host });
              await this.hosts.create(service.host, cell.id);
              mapped++;
            }
          }
        } else {
          for (const node of await db.computeNodes.listUnmapped()) {
            const host = node.host ?? '';
            emit({ type: 'checking', host, nodeUuid: node.uuid ?? '' });
            if (!(await this.hosts.findByHost(host))) {
              emit({ type: 'mapping-node', host, nodeUuid: node.uuid ?? '' });
              await this.hosts.create(host, cell.id);
              mapped++;
            }
            // As Nova: the node is marked mapped even when its host already was (by
            // --by-service, or another node of the host), so it is not scanned again.
            await db.computeNodes.setMapped([node.id], 1);
          }
        }
        emit({ type: 'cell-done', cell, mapped });
        return mapped;
      },
      { releaseConnections: options.releaseConnections ?? true },
    );
  }

  /** Host mappings (of one cell, or all), sorted by host name; null when the cell is unknown. */
  async list(cellUuid?: string): Promise<HostRow[] | null> {
    const cell = cellUuid === undefined ? undefined : await this.cells.findByUuid(cellUuid);
    if (cellUuid !== undefined && !cell) {
      return null;
    }
    const rows = await this.hosts.list(cell?.id);
    return rows.map((h) => ({ cellName: h.cell.name, cellUuid: h.cell.uuid, host: h.host }));
  }

  async delete(cellUuid: string, host: string): Promise<DeleteHostOutcome> {
    const mapping = await this.cells.findByUuid(cellUuid);
    if (!mapping) {
      return 'cell_not_found';
    }
    const hostMapping = await this.hosts.findByHost(host);
    if (!hostMapping) {
      return 'host_not_found';
    }
    if (hostMapping.cell.uuid !== cellUuid) {
      return 'wrong_cell';
    }
    if (mapping.uuid !== CELL0_UUID) {
      const db = await cellDb(
        this.router.targetCell(adminContext(), await this.router.cell(cellUuid)),
      );
      if ((await db.instances.countLive(host)) > 0) {
        return 'has_instances';
      }
      await db.computeNodes.setMapped(
        (await db.computeNodes.listLive(host)).map((n) => n.id),
        0,
      );
    }
    await this.hosts.delete(hostMapping);
    return 'deleted';
  }
}
