import { Module } from '@nestjs/common';
import { ApiDbModule } from '@nova/api-db';
import { CellRouterModule } from '@nova/cell-router';
import { CELL_SCHEMA } from '@nova/cells/db';
import { ImagesModule } from '@nova/images';
import { PlacementModule } from '@nova/placement';
import { BuildRequests, CONSOLES, INSTANCE_USAGE, SERVERS } from '@nova/servers';
import { ApiLevelTransport } from './api-transport';
import { InstanceUsage } from './instance-usage';
import { RemoteConsoles } from './remote-consoles';
import { ServerListing } from './server-listing';
import { ServerLookup } from './server-lookup';
import { ServerOperations } from './server-operations';
import { MigrationListing } from './migration-listing';
import { ServerMoves } from './server-moves';
import { ServerImages } from './server-images';
import { ServerRebuild } from './server-rebuild';
import { ServersAdapter } from './servers.adapter';

/**
 * Servers across the build requests and the cells: the SERVERS port of the
 * compute API. Needs Config and Cache modules.
 */
@Module({
  imports: [CellRouterModule.register(CELL_SCHEMA), ApiDbModule, PlacementModule, ImagesModule],
  providers: [
    BuildRequests,
    ApiLevelTransport,
    ServerLookup,
    ServerListing,
    ServerOperations,
    ServerRebuild,
    ServerMoves,
    ServerImages,
    MigrationListing,
    ServersAdapter,
    { provide: SERVERS, useExisting: ServersAdapter },
    InstanceUsage,
    { provide: INSTANCE_USAGE, useExisting: InstanceUsage },
    RemoteConsoles,
    { provide: CONSOLES, useExisting: RemoteConsoles },
  ],
  exports: [SERVERS, INSTANCE_USAGE, CONSOLES, BuildRequests],
})
export class ServersModule {}
