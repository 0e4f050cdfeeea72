import type { Cell } from './cell';

export type CellResult<T> =
  | { readonly status: 'ok'; readonly value: T }
  | { readonly status: 'timeout' }
  | { readonly status: 'error'; readonly error: unknown };

export function isCellFailure<T>(
  result: CellResult<T>,
): result is Exclude<CellResult<T>, { status: 'ok' }> {
  return result.status !== 'ok';
}

/**
 * Run `fn` for every cell at once and collect, per cell uuid, its value, a timeout
 * marker (no answer within `timeoutMs`) or an error marker. A slow or dead cell
 * never delays the others past the timeout nor fails the whole call.
 */
export async function gatherCells<T>(
  cells: readonly Cell[],
  fn: (cell: Cell) => Promise<T>,
  timeoutMs: number,
): Promise<Map<string, CellResult<T>>> {
  const timers: NodeJS.Timeout[] = [];
  const settled = await Promise.all(
    cells.map((cell) => {
      const work = Promise.resolve()
        .then(() => fn(cell))
        .then(
          (value): CellResult<T> => ({ status: 'ok', value }),
          (error: unknown): CellResult<T> => ({ status: 'error', error }),
        );
      const timeout = new Promise<CellResult<T>>((resolve) => {
        timers.push(setTimeout(() => resolve({ status: 'timeout' }), timeoutMs));
      });
      return Promise.race([work, timeout]).then((result) => [cell.uuid, result] as const);
    }),
  );
  timers.forEach(clearTimeout);
  return new Map(settled);
}
