import { isCell0, type Cell, type CellRouter } from '@nova/cell-router';
import { cellDb, type CellRepositories } from '@nova/cells/db';
import type { RequestContext } from '@nova/common';

/** What every cell answered, in cell order, and the cells that timed out or failed. */
export interface Gathered<T> {
  readonly answers: ReadonlyArray<{ readonly cell: Cell; readonly value: T }>;
  readonly failedCells: readonly Cell[];
}

/**
 * Run `fn` against the repositories of every cell at once (cell0 too unless
 * `skipCell0`), waiting at most `timeoutMs` for each; a dead cell is reported
 * in `failedCells`, never thrown.
 */
export async function gatherFromCells<T>(
  router: CellRouter,
  ctx: RequestContext,
  timeoutMs: number,
  fn: (db: CellRepositories, cell: Cell) => Promise<T>,
  options: { skipCell0?: boolean } = {},
): Promise<Gathered<T>> {
  const cells = (await router.cells()).filter((c) => !(options.skipCell0 && isCell0(c)));
  const results = await router.scatterGather(
    ctx,
    cells,
    async (cellCtx) => fn(await cellDb(cellCtx), cellCtx.cell.mapping),
    { timeoutMs },
  );
  const answers: Array<{ cell: Cell; value: T }> = [];
  const failedCells: Cell[] = [];
  for (const cell of cells) {
    const result = results.get(cell.uuid);
    if (result?.status === 'ok') {
      answers.push({ cell, value: result.value });
    } else {
      failedCells.push(cell);
    }
  }
  return { answers, failedCells };
}
