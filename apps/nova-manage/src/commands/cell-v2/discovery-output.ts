import { SingleBar } from 'cli-progress';
import type { DiscoveryEvent } from '@nova/cells/manage';
import type { ManageIO } from '../../output/manage-io';

/** A scan of at least this many cells shows a progress bar on a terminal. */
export const PROGRESS_MIN_CELLS = 5;

/**
 * How discover_hosts reports: Nova's lines with --verbose; otherwise, when the
 * scan covers many cells and stderr is a terminal, a progress bar.
 */
export function discoveryReporter(
  io: ManageIO,
  verbose: boolean,
): { onEvent: (e: DiscoveryEvent) => void; finish: () => void } {
  let bar: SingleBar | undefined;
  let hostsMapped = 0;
  const onEvent = (e: DiscoveryEvent): void => {
    if (verbose) {
      const line = verboseLine(e);
      if (line) {
        io.out(line);
      }
      return;
    }
    if (e.type === 'cells-found') {
      if (e.count >= PROGRESS_MIN_CELLS && io.progress.isTTY) {
        bar = new SingleBar({
          stream: io.progress,
          format: 'Discovering hosts |{bar}| {value}/{total} cells | {hosts} hosts mapped',
          hideCursor: true,
          clearOnComplete: false,
        });
        bar.start(e.count, 0, { hosts: 0 });
      }
    } else if (e.type === 'skip-cell0' || e.type === 'cell-done') {
      hostsMapped += e.type === 'cell-done' ? e.mapped : 0;
      bar?.increment(1, { hosts: hostsMapped });
    }
  };
  return { onEvent, finish: () => bar?.stop() };
}

function verboseLine(e: DiscoveryEvent): string | undefined {
  switch (e.type) {
    case 'cells-found':
      return `Found ${e.count} cell mappings.`;
    case 'skip-cell0':
      return 'Skipping cell0 since it does not contain hosts.';
    case 'cell-start':
      return e.cell.name
        ? `Getting computes from cell '${e.cell.name}': ${e.cell.uuid}`
        : `Getting computes from cell: ${e.cell.uuid}`;
    case 'checking':
      return `Checking host mapping for compute host '${e.host}': ${e.nodeUuid}`;
    case 'mapping-node':
      return `Creating host mapping for compute host '${e.host}': ${e.nodeUuid}`;
    case 'mapping-service':
      return `Creating host mapping for service ${e.host}`;
    case 'cell-done':
      return `Found ${e.mapped} unmapped computes in cell: ${e.cell.uuid}`;
  }
}
