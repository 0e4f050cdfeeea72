import type { DataSource } from 'typeorm';

/** Resources a flavor takes on a host (as the node's usage counts them). */
export interface FlavorUsage {
  readonly vcpus: number;
  readonly memory_mb: number;
  readonly root_gb: number;
  readonly ephemeral_gb: number;
}

/** One unfinished move touching a host, with where its instance is and its flavors. */
export interface MoveRow {
  readonly migration_type: string | null;
  readonly status: string | null;
  readonly source_compute: string | null;
  readonly dest_compute: string | null;
  readonly instance_host: string | null;
  readonly flavor: string | null;
}

/** Statuses after which a move's own allocation is gone (an evacuation's `done` still holds the source). */
const SETTLED = ['confirmed', 'reverted', 'error', 'failed', 'completed', 'cancelled', 'accepted'];

/** Statuses of a cold move whose instance already runs with the new flavor. */
const FINISHED = ['finished', 'confirming', 'reverting'];

/**
 * What moves hold on `host` beyond its instances' own flavors, as placement
 * counts them (Nova's resource tracker counts migrations the same way): the
 * destination's new flavor until the instance arrives, then the source's old
 * flavor until the move is confirmed (an evacuation: until the source cleans up).
 */
export function moveUsage(rows: readonly MoveRow[], host: string): FlavorUsage {
  const total = { vcpus: 0, memory_mb: 0, root_gb: 0, ephemeral_gb: 0 };
  for (const r of rows) {
    if (
      SETTLED.includes(r.status ?? '') ||
      (r.status === 'done' && r.migration_type !== 'evacuation')
    ) {
      continue;
    }
    const flavors = parse(r.flavor);
    const arrived =
      r.source_compute === r.dest_compute
        ? FINISHED.includes(r.status ?? '')
        : r.instance_host === r.dest_compute;
    const extra =
      arrived && r.source_compute === host
        ? (flavors.old ?? flavors.cur)
        : !arrived && r.dest_compute === host
          ? (flavors.new ?? flavors.cur)
          : null;
    if (extra) {
      total.vcpus += extra.vcpus;
      total.memory_mb += extra.memory_mb;
      total.root_gb += extra.root_gb;
      total.ephemeral_gb += extra.ephemeral_gb;
    }
  }
  return total;
}

function parse(json: string | null): {
  cur?: FlavorUsage;
  old?: FlavorUsage | null;
  new?: FlavorUsage | null;
} {
  try {
    return json ? (JSON.parse(json) as ReturnType<typeof parse>) : {};
  } catch {
    return {};
  }
}

/** The unfinished moves from or to `host`, read for moveUsage. */
export async function movesTouching(ds: DataSource, host: string): Promise<MoveRow[]> {
  return ds.query<MoveRow[]>(
    'SELECT m.migration_type AS migration_type, m.status AS status, ' +
      'm.source_compute AS source_compute, m.dest_compute AS dest_compute, ' +
      'i.host AS instance_host, x.flavor AS flavor FROM migrations m ' +
      'JOIN instances i ON i.uuid = m.instance_uuid AND i.deleted = 0 ' +
      'JOIN instance_extra x ON x.instance_uuid = m.instance_uuid AND x.deleted = 0 ' +
      "WHERE m.deleted = 0 AND m.status NOT IN ('confirmed', 'reverted', 'error', 'failed', " +
      "'completed', 'cancelled') AND (m.source_compute = ? OR m.dest_compute = ?)",
    [host, host],
  );
}
