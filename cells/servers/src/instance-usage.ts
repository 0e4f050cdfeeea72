import { Inject, Injectable } from '@nestjs/common';
import { CellRouter } from '@nova/cell-router';
import { gatherFromCells } from '@nova/cells/hosts';
import type { Instance } from '@nova/cells/db';
import type { RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import {
  UsageMarkerNotFound,
  type InstanceUsagePort,
  type UsageFlavor,
  type UsageInstance,
  type UsageWindow,
} from '@nova/servers';

/** The embedded flavor (`{"cur": {...}}`), else the instance's own size columns and no name. */
function usageFlavor(instance: Instance, json: string | null): UsageFlavor {
  let cur: Partial<UsageFlavor> | undefined;
  try {
    cur = json ? (JSON.parse(json) as { cur?: Partial<UsageFlavor> }).cur : undefined;
  } catch {
    cur = undefined;
  }
  return {
    name: cur?.name ?? '',
    memory_mb: cur?.memory_mb ?? instance.memory_mb ?? 0,
    root_gb: cur?.root_gb ?? instance.root_gb ?? 0,
    ephemeral_gb: cur?.ephemeral_gb ?? instance.ephemeral_gb ?? 0,
    vcpus: cur?.vcpus ?? instance.vcpus ?? 0,
  };
}

/**
 * Instances active in a period, read from every cell at once (cell0 too):
 * each cell pages by (project id, uuid) after the marker if it holds it; the
 * pages are joined in cell order from the marker's cell on, as Nova walks the
 * cells one after another. A cell that does not answer within `[cells]
 * cell_list_timeout` is left out (logged by the router).
 */
@Injectable()
export class InstanceUsage implements InstanceUsagePort {
  constructor(
    private readonly router: CellRouter,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  async instancesActiveIn(ctx: RequestContext, window: UsageWindow): Promise<UsageInstance[]> {
    const { cell_list_timeout, cell_timeout } = this.config.cells;
    const { answers } = await gatherFromCells(
      this.router,
      ctx,
      Math.min(cell_list_timeout, cell_timeout) * 1000,
      async (db) => {
        const { marker, ...rest } = window;
        const afterMarker =
          marker === undefined ? undefined : await db.instances.activeInWindow(window);
        // Cells after the marker's one are read from their start.
        const fromStart = await db.instances.activeInWindow(rest);
        return { afterMarker, fromStart };
      },
    );
    const out: UsageInstance[] = [];
    let started = window.marker === undefined;
    for (const { value } of answers) {
      const page = started ? value.fromStart : value.afterMarker;
      if (!page?.markerFound) {
        continue;
      }
      started = true;
      for (const { instance, flavor } of page.rows) {
        if (out.length >= window.limit) {
          break;
        }
        out.push({
          uuid: instance.uuid,
          project_id: instance.project_id,
          display_name: instance.display_name,
          vm_state: instance.vm_state,
          launched_at: instance.launched_at,
          terminated_at: instance.terminated_at,
          flavor: usageFlavor(instance, flavor),
        });
      }
    }
    if (!started && window.marker !== undefined) {
      throw new UsageMarkerNotFound(window.marker);
    }
    return out;
  }
}
