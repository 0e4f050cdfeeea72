import type { CellContext, CellDbSchema } from '@nova/cell-router';
import { CELL_MIGRATIONS } from '@nova/migrations/cell';
import { CELL_ENTITIES } from './entities';
import { ConsoleAuthTokens } from './repositories/console-auth-tokens';
import { ComputeNodeRepository } from './repositories/compute-node.repository';
import { InstanceCopy } from './repositories/instance-copy';
import { InstanceWriter } from './repositories/instance-writer';
import { InstanceRepository } from './repositories/instance.repository';
import { MigrationReader } from './repositories/migration-reader';
import { MigrationWriter } from './repositories/migration-writer';
import { ServerReader } from './repositories/server-reader';
import { ServiceRepository } from './repositories/service.repository';
import { TaskLogRepository } from './repositories/task-log.repository';

/** What the cell router needs to open and check a cell database. */
export const CELL_SCHEMA: CellDbSchema = { entities: CELL_ENTITIES, migrations: CELL_MIGRATIONS };

/** The repositories of one cell, bound to a targeted context: no context, no cell data. */
export interface CellRepositories {
  readonly instances: InstanceRepository;
  readonly computeNodes: ComputeNodeRepository;
  readonly services: ServiceRepository;
  readonly writer: InstanceWriter;
  readonly servers: ServerReader;
  readonly migrations: MigrationReader;
  readonly migrationWriter: MigrationWriter;
  readonly consoleAuthTokens: ConsoleAuthTokens;
  readonly taskLogs: TaskLogRepository;
  readonly instanceCopy: InstanceCopy;
}

export async function cellDb(ctx: CellContext): Promise<CellRepositories> {
  const ds = await ctx.cell.db();
  return {
    instances: new InstanceRepository(ds, ctx.readDeleted),
    computeNodes: new ComputeNodeRepository(ds),
    services: new ServiceRepository(ds),
    writer: new InstanceWriter(ds, ctx),
    servers: new ServerReader(ds, ctx.cell.uuid, (fn) => ctx.cell.read(fn)),
    migrations: new MigrationReader(ds, ctx.cell.uuid),
    migrationWriter: new MigrationWriter(ds),
    consoleAuthTokens: new ConsoleAuthTokens(ds),
    taskLogs: new TaskLogRepository(ds),
    instanceCopy: new InstanceCopy(ds),
  };
}
