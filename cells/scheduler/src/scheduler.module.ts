import { Module } from '@nestjs/common';
import { AggregatesModule } from '@nova/aggregates';
import { CellRouterModule } from '@nova/cell-router';
import { CELL_SCHEMA } from '@nova/cells/db';
import { HostMappingService } from '@nova/cells/manage';
import { PlacementModule } from '@nova/placement';
import { SchedulerRunner } from './scheduler.runner';

/**
 * The scheduler and what it reads: the cell router (host state from every
 * cell), placement, aggregates, and host mappings for the periodic discovery.
 * Needs ConfigModule and CacheModule. Nothing is served until the runner starts.
 */
@Module({
  imports: [CellRouterModule.register(CELL_SCHEMA), PlacementModule, AggregatesModule],
  providers: [HostMappingService, SchedulerRunner],
  exports: [SchedulerRunner],
})
export class SchedulerModule {}
