import { adminContext } from '@nova/common';
import type { Cell, CellContext, CellRouter } from '@nova/cell-router';

export type SweepResult<T> = { readonly cell: Cell } & (
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown }
);

/**
 * Visit cells one at a time for an admin command: target the cell, run `fn`,
 * record success or failure per cell (one dead cell does not stop the sweep), and
 * release the cell's connections before the next, so sweeping hundreds of cells
 * holds at most one cell's pool at a time. A long-running service passes
 * `releaseConnections: false`: its pools are shared with concurrent work and
 * close when idle.
 */
export async function sweepCells<T>(
  router: CellRouter,
  cells: readonly Cell[],
  fn: (ctx: CellContext, cell: Cell) => Promise<T>,
  { releaseConnections = true }: { releaseConnections?: boolean } = {},
): Promise<Array<SweepResult<T>>> {
  const results: Array<SweepResult<T>> = [];
  for (const cell of cells) {
    try {
      results.push({
        cell,
        ok: true,
        value: await fn(router.targetCell(adminContext(), cell), cell),
      });
    } catch (error) {
      results.push({ cell, ok: false, error });
    } finally {
      if (releaseConnections) {
        await router.pool.release(cell.uuid);
      }
    }
  }
  return results;
}
