import type { CellContext, CellDbSchema } from '@nova/cell-router';
import { CELL_MIGRATIONS } from '@nova/migrations/cell';
import { CELL_ENTITIES } from './entities';
import { ComputeNodeRepository } from './repositories/compute-node.repository';
import { InstanceWriter } from './repositories/instance-writer';
import { InstanceRepository } from './repositories/instance.repository';
import { ServerReader } from './repositories/server-reader';
import { ServiceRepository } from './repositories/service.repository';

/** What the cell router needs to open and check a cell database. */
export const CELL_SCHEMA: CellDbSchema = { entities: CELL_ENTITIES, migrations: CELL_MIGRATIONS };

/** The repositories of one cell, bound to a targeted context: no context, no cell data. */
export interface CellRepositories {
  readonly instances: InstanceRepository;
  readonly computeNodes: ComputeNodeRepository;
  readonly services: ServiceRepository;
  readonly writer: InstanceWriter;
  readonly servers: ServerReader;
}

export async function cellDb(ctx: CellContext): Promise<CellRepositories> {
  const ds = await ctx.cell.db();
  return {
    instances: new InstanceRepository(ds, ctx.readDeleted),
    computeNodes: new ComputeNodeRepository(ds),
    services: new ServiceRepository(ds),
    writer: new InstanceWriter(ds),
    servers: new ServerReader(ds, ctx.cell.uuid),
  };
}
