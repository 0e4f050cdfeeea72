import { Module } from '@nestjs/common';
import { ApiDbModule } from '@nova/api-db';
import { CellRouterModule } from '@nova/cell-router';
import { CELL_SCHEMA } from '@nova/cells/db';
import { PlacementModule } from '@nova/placement';
import { BuildRequests, SERVERS } from '@nova/servers';
import { ApiLevelTransport } from './api-transport';
import { ServerListing } from './server-listing';
import { ServerLookup } from './server-lookup';
import { ServerOperations } from './server-operations';
import { ServersAdapter } from './servers.adapter';

/**
 * Servers across the build requests and the cells: the SERVERS port of the
 * compute API. Needs Config and Cache modules.
 */
@Module({
  imports: [CellRouterModule.register(CELL_SCHEMA), ApiDbModule, PlacementModule],
  providers: [
    BuildRequests,
    ApiLevelTransport,
    ServerLookup,
    ServerListing,
    ServerOperations,
    ServersAdapter,
    { provide: SERVERS, useExisting: ServersAdapter },
  ],
  exports: [SERVERS, BuildRequests],
})
export class ServersModule {}
