import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AggregatesModule } from '@nova/aggregates';
import { CacheModule } from '@nova/cache';
import { ConfigModule, type NovaConfig } from '@nova/config';
import { FlavorsModule } from '@nova/flavors';
import { ImagesModule } from '@nova/images';
import { KeypairsModule } from '@nova/keypairs';
import { NetworkModule } from '@nova/network';
import { PolicyModule } from '@nova/policy';
import { QuotaModule } from '@nova/quota';
import { ServerGroupsModule } from '@nova/server-groups';
import { AuthService } from './auth/auth.service';
import { AvailabilityZonesController } from './controllers/availability-zones/availability-zones.controller';
import { HypervisorLegacyController } from './controllers/hypervisors/hypervisor-legacy.controller';
import { HypervisorsController } from './controllers/hypervisors/hypervisors.controller';
import { ServicesController } from './controllers/services/services.controller';
import { HostsController } from './controllers/hosts/hosts.controller';
import { ExtensionsController } from './controllers/extensions/extensions.controller';
import { UsageAuditLogController } from './controllers/usage/usage-audit-log.controller';
import { ConsoleAuthTokensController } from './controllers/consoles/console-auth-tokens.controller';
import { RemoteConsolesController } from './controllers/consoles/remote-consoles.controller';
import { AggregateActionsController } from './controllers/aggregates/aggregate-actions.controller';
import { AggregatesController } from './controllers/aggregates/aggregates.controller';
import { FlavorAccessController } from './controllers/flavors/flavor-access.controller';
import { FlavorExtraSpecsController } from './controllers/flavors/flavor-extra-specs.controller';
import { FlavorsController } from './controllers/flavors/flavors.controller';
import { ImagesController } from './controllers/images/images.controller';
import { ImageMetadataController } from './controllers/images/image-metadata.controller';
import { KeypairsController } from './controllers/keypairs/keypairs.controller';
import {
  NetworksController,
  TenantNetworksController,
} from './controllers/network/networks.controller';
import {
  SecurityGroupDefaultRulesController,
  SecurityGroupRulesController,
  SecurityGroupsController,
} from './controllers/network/security-groups.controller';
import {
  FloatingIpPoolsController,
  FloatingIpsController,
} from './controllers/network/floating-ips.controller';
import { InterfacesController } from './controllers/network/interfaces.controller';
import { ServerSecurityGroupsController } from './controllers/network/server-security-groups.controller';
import { ServerGroupsController } from './controllers/server-groups/server-groups.controller';
import { InstanceActionsController } from './controllers/servers/instance-actions.controller';
import { MigrationsController } from './controllers/migrations/migrations.controller';
import { ServerActionsController } from './controllers/servers/server-actions.controller';
import { ExternalEventsController } from './controllers/servers/external-events.controller';
import { ServerCreator } from './controllers/servers/server-creator';
import { ServerDiagnosticsController } from './controllers/servers/server-diagnostics.controller';
import { ServerIpsController } from './controllers/servers/server-ips.controller';
import { ServerPasswordController } from './controllers/servers/server-password.controller';
import { ServerImageActions } from './controllers/servers/server-image-actions';
import { ServerRebuilder } from './controllers/servers/server-rebuilder';
import { FloatingAddresses } from './controllers/network/floating-addresses';
import { ServerResizer } from './controllers/servers/server-resizer';
import { ServerMigrationsController } from './controllers/servers/server-migrations.controller';
import { ServerMetadataController } from './controllers/servers/server-metadata.controller';
import { ServerPresenter } from './controllers/servers/server-presenter';
import { ServerTagsController } from './controllers/servers/server-tags.controller';
import { ServersController } from './controllers/servers/servers.controller';
import { LimitsController } from './controllers/quotas/limits.controller';
import { QuotaClassSetsController } from './controllers/quotas/quota-class-sets.controller';
import { QuotaSetsController } from './controllers/quotas/quota-sets.controller';
import { SimpleTenantUsageController } from './controllers/usage/simple-tenant-usage.controller';
import { VersionsController } from './controllers/versions.controller';
import { OpenApiController } from './controllers/openapi.controller';
import { FaultFilter } from './http/fault.filter';
import { RouteGuard } from './http/route.guard';
import { RouteTable } from './http/route-table';

/**
 * What the compute API needs from the cell side, wired by the process: modules
 * that provide the CellRouter and the HOST_INVENTORY port (cells/hosts does
 * both), and the SERVERS port (cells/servers) the servers controllers use.
 */
export interface ApiAdapters {
  readonly imports: NonNullable<ModuleMetadata['imports']>;
}

/** The compute API: controllers over the shared libs, with Nova's frame (auth, policy, faults). */
@Module({})
export class ApiModule {
  static forConfig(config: NovaConfig, routes: RouteTable, adapters: ApiAdapters): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        CacheModule,
        ...adapters.imports,
        PolicyModule,
        QuotaModule,
        FlavorsModule,
        ImagesModule,
        KeypairsModule,
        AggregatesModule,
        ServerGroupsModule,
        NetworkModule,
        DiscoveryModule,
      ],
      controllers: [
        VersionsController,
        OpenApiController,
        LimitsController,
        QuotaSetsController,
        QuotaClassSetsController,
        FlavorsController,
        FlavorAccessController,
        FlavorExtraSpecsController,
        ImagesController,
        ImageMetadataController,
        KeypairsController,
        AggregatesController,
        AggregateActionsController,
        ServerGroupsController,
        ServicesController,
        HostsController,
        ExtensionsController,
        UsageAuditLogController,
        HypervisorsController,
        HypervisorLegacyController,
        AvailabilityZonesController,
        SimpleTenantUsageController,
        ServersController,
        ServerActionsController,
        ServerMetadataController,
        ServerTagsController,
        InstanceActionsController,
        MigrationsController,
        ServerMigrationsController,
        ServerIpsController,
        ServerPasswordController,
        ServerDiagnosticsController,
        RemoteConsolesController,
        ConsoleAuthTokensController,
        ExternalEventsController,
        ServerSecurityGroupsController,
        InterfacesController,
        FloatingIpsController,
        FloatingIpPoolsController,
        SecurityGroupsController,
        SecurityGroupRulesController,
        SecurityGroupDefaultRulesController,
        NetworksController,
        TenantNetworksController,
      ],
      providers: [
        AuthService,
        ServerCreator,
        ServerRebuilder,
        FloatingAddresses,
        ServerResizer,
        ServerImageActions,
        ServerPresenter,
        { provide: RouteTable, useValue: routes },
        { provide: APP_GUARD, useClass: RouteGuard },
        {
          provide: APP_FILTER,
          useFactory: (r: RouteTable) => new FaultFilter(r),
          inject: [RouteTable],
        },
      ],
    };
  }
}
