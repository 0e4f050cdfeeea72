import type { CellContext, CellDbSchema } from '@nova/cell-router';
import { CELL_MIGRATIONS } from '@nova/migrations/cell';
import { CELL_ENTITIES } from './entities';
import { ComputeNodeRepository } from './repositories/compute-node.repository';
import { InstanceRepository } from './repositories/instance.repository';
import { ServiceRepository } from './repositories/service.repository';

/** What the cell router needs to open and check a cell database. */
export const CELL_SCHEMA: CellDbSchema = { entities: CELL_ENTITIES, migrations: CELL_MIGRATIONS };

/** The repositories of one cell, bound to a targeted context: no context, no cell data. */
export interface CellRepositories {
  readonly instances: InstanceRepository;
  readonly computeNodes: ComputeNodeRepository;
  readonly services: ServiceRepository;
}

export async function cellDb(ctx: CellContext): Promise<CellRepositories> {
  const ds = await ctx.cell.db();
  return {
    instances: new InstanceRepository(ds, ctx.readDeleted),
    computeNodes: new ComputeNodeRepository(ds),
    services: new ServiceRepository(ds),
  };
}
