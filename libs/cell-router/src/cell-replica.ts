import { formatCellUrl } from './url-template';

/**
 * A cell's read replica URL, from the local `[database] slave_connection` (Nova's
 * cell mappings hold no replica URL):
 * - a mapping that is a template taking its host from the local URL (`{hostname}`)
 *   gets the same template filled from slave_connection: every such cell is
 *   replicated the way the local database is (one primary server, one replica server);
 * - the cell whose database URL is the local `[database] connection` (the cell of a
 *   cell-local process) gets slave_connection as it is;
 * - any other cell has no replica known here: its reads stay on its primary.
 */
export function cellReplicaUrl(
  template: string,
  primaryUrl: string,
  local: { connection?: string; slave_connection?: string },
): string | undefined {
  const slave = local.slave_connection;
  if (!slave) {
    return undefined;
  }
  if (/\{hostname\d*\}/.test(template)) {
    try {
      const filled = formatCellUrl(template, slave);
      return filled === primaryUrl ? undefined : filled;
    } catch {
      return undefined; // the primary's own fill failed the same way and was logged
    }
  }
  return primaryUrl === local.connection ? slave : undefined;
}
