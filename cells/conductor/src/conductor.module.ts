import { Module } from '@nestjs/common';
import { CellRouterModule } from '@nova/cell-router';
import { CELL_SCHEMA } from '@nova/cells/db';
import { PlacementModule } from '@nova/placement';
import { BuildRequests } from '@nova/servers';
import { CellConductorRunner } from './cell-conductor.runner';
import { SuperConductorRunner } from './super-conductor.runner';

/**
 * The conductors (super and cell) and what they need: the cell router, placement
 * and the build requests. Needs ConfigModule and CacheModule. Nothing is served
 * until a runner is started (`nova-conductor [--super]`, nova-all).
 */
@Module({
  imports: [CellRouterModule.register(CELL_SCHEMA), PlacementModule],
  providers: [BuildRequests, SuperConductorRunner, CellConductorRunner],
  exports: [SuperConductorRunner, CellConductorRunner],
})
export class ConductorModule {}
