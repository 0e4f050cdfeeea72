import { Module, type DynamicModule } from '@nestjs/common';
import { ApiDbModule } from '@nova/api-db';
import { CellConnectionPool } from './cell-connection-pool';
import { CELL_DB_SCHEMA, type CellDbSchema } from './cell-db-schema';
import { CellRegistry } from './cell-registry';
import { CellRouter } from './cell-router';
import { InstanceMappings } from './instance-mappings';

const services = [CellRegistry, CellConnectionPool, InstanceMappings, CellRouter];

/**
 * The cell router. The app passes the cell database schema in (libs do not import
 * cells). Needs ConfigModule and CacheModule.
 *
 * One router per process: Nest 11 tells dynamic modules apart by object
 * reference, so `register` hands out the same module for the same schema and
 * every module importing it (hosts, manage, servers, conductor, scheduler)
 * shares one cell list, one connection pool and one mapping cache.
 */
@Module({})
export class CellRouterModule {
  private static readonly registered = new Map<CellDbSchema, DynamicModule>();

  static register(cellSchema: CellDbSchema): DynamicModule {
    let module = CellRouterModule.registered.get(cellSchema);
    if (!module) {
      module = {
        module: CellRouterModule,
        imports: [ApiDbModule],
        providers: [{ provide: CELL_DB_SCHEMA, useValue: cellSchema }, ...services],
        exports: [ApiDbModule, CELL_DB_SCHEMA, ...services],
      };
      CellRouterModule.registered.set(cellSchema, module);
    }
    return module;
  }
}
