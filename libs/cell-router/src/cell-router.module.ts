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
 */
@Module({})
export class CellRouterModule {
  static register(cellSchema: CellDbSchema): DynamicModule {
    return {
      module: CellRouterModule,
      imports: [ApiDbModule],
      providers: [{ provide: CELL_DB_SCHEMA, useValue: cellSchema }, ...services],
      exports: [ApiDbModule, CELL_DB_SCHEMA, ...services],
    };
  }
}
