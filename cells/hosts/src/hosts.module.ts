import { Module } from '@nestjs/common';
import { ApiDbModule } from '@nova/api-db';
import { AvailabilityZonesModule } from '@nova/availability-zones';
import { CellRouterModule } from '@nova/cell-router';
import { CELL_SCHEMA } from '@nova/cells/db';
import { HOST_INVENTORY } from '@nova/host-inventory';
import { HostInventory } from './host-inventory';

/**
 * Services and compute nodes across the cells (os-services, os-hypervisors,
 * AZs): the HOST_INVENTORY port of the compute API. Needs Config and Cache modules.
 */
@Module({
  imports: [CellRouterModule.register(CELL_SCHEMA), ApiDbModule, AvailabilityZonesModule],
  providers: [HostInventory, { provide: HOST_INVENTORY, useExisting: HostInventory }],
  exports: [HostInventory, HOST_INVENTORY, AvailabilityZonesModule, CellRouterModule],
})
export class HostsModule {}
