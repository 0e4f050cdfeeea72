import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { RequestContext } from '@nova/common';
import { InstanceMappingNotFound, Invalid } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { getLogger } from '@nova/logging';
import { cellLabel, type Cell } from './cell';
import type { CellContext, CellHandle } from './cell-context';
import { CellConnectionPool } from './cell-connection-pool';
import { CellRegistry } from './cell-registry';
import { InstanceMappings, type InstanceLocation } from './instance-mappings';
import { gatherCells, type CellResult } from './scatter-gather';

const log = getLogger('cell-router');

/**
 * "Where does X live and how do I reach it": the cells, the instance index, and
 * contexts bound to a cell's database and queue.
 */
@Injectable()
export class CellRouter implements OnModuleInit {
  constructor(
    readonly registry: CellRegistry,
    readonly pool: CellConnectionPool,
    readonly mappings: InstanceMappings,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  onModuleInit(): void {
    this.registry.onChange((change) => {
      if (change.kind === 'removed') {
        this.pool.retire(change.cell.uuid);
      } else if (
        change.kind === 'updated' &&
        change.cell.connectionKey !== change.previous.connectionKey
      ) {
        this.pool.retire(change.cell.uuid); // reopened with the new URLs on next use
      }
    });
  }

  cells(): Promise<readonly Cell[]> {
    return this.registry.list();
  }

  cell(uuid: string): Promise<Cell> {
    return this.registry.get(uuid);
  }

  /** A copy of `ctx` bound to `cell` (Nova's target_cell). Connections open on first use. */
  targetCell(ctx: RequestContext, cell: Cell): CellContext {
    const current = (): Cell => this.registry.peek(cell.uuid) ?? cell;
    const handle: CellHandle = {
      uuid: cell.uuid,
      name: cell.name,
      mapping: cell,
      db: () => this.pool.get(current()).dataSource(),
      read: (fn) => this.pool.get(current()).read(fn),
      mq: () => this.pool.get(current()).transport(),
    };
    return { ...ctx, cell: handle };
  }

  lookupInstance(instanceUuid: string): Promise<InstanceLocation | null> {
    return this.mappings.lookup(instanceUuid);
  }

  /** The context of the cell an instance lives in; 404 when it is not mapped to a cell. */
  async targetInstance(ctx: RequestContext, instanceUuid: string): Promise<CellContext> {
    const location = await this.mappings.lookup(instanceUuid);
    if (!location?.cell) {
      throw new InstanceMappingNotFound(instanceUuid);
    }
    return this.targetCell(ctx, location.cell);
  }

  /**
   * Run `fn` in every given cell concurrently; per cell uuid, a result, a timeout
   * marker or an error marker. Timeout defaults to `[cells] cell_timeout`.
   */
  async scatterGather<T>(
    ctx: RequestContext,
    cells: readonly Cell[],
    fn: (cellCtx: CellContext) => Promise<T>,
    options: { timeoutMs?: number } = {},
  ): Promise<Map<string, CellResult<T>>> {
    const timeoutMs = options.timeoutMs ?? this.config.cells.cell_timeout * 1000;
    if (timeoutMs <= 0) {
      throw new Invalid('scatter-gather timeout must be positive');
    }
    const results = await gatherCells(cells, (cell) => fn(this.targetCell(ctx, cell)), timeoutMs);
    for (const cell of cells) {
      const result = results.get(cell.uuid);
      if (result?.status === 'timeout') {
        log.warn({ cell: cellLabel(cell), timeoutMs }, 'cell did not respond in time');
      } else if (result?.status === 'error') {
        log.warn({ cell: cellLabel(cell), err: String(result.error) }, 'cell failed');
      }
    }
    return results;
  }
}
