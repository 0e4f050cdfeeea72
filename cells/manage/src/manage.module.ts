import { Module } from '@nestjs/common';
import { CellRouterModule } from '@nova/cell-router';
import { CELL_SCHEMA } from '@nova/cells/db';
import { FlavorsModule } from '@nova/flavors';
import { CellMappingService } from './cell-mapping.service';
import { EmbeddedBootstrapService } from './embedded-bootstrap.service';
import { HostMappingService } from './host-mapping.service';
import { InstanceMappingService } from './instance-mapping.service';
import { ArchiveService, OnlineDataMigrationsService, UpgradeCheckService } from './maintenance';
import { SchemaSyncService } from './schema-sync.service';
import { SimpleCellSetupService } from './simple-cell-setup.service';

const services = [
  ArchiveService,
  CellMappingService,
  EmbeddedBootstrapService,
  HostMappingService,
  InstanceMappingService,
  OnlineDataMigrationsService,
  SchemaSyncService,
  SimpleCellSetupService,
  UpgradeCheckService,
];

/** The operations behind `nova-manage` (and the embedded bootstrap). Needs Config and Cache modules. */
@Module({
  imports: [CellRouterModule.register(CELL_SCHEMA), FlavorsModule],
  providers: services,
  exports: [...services, CellRouterModule],
})
export class ManageModule {}
