import { Module, type DynamicModule } from '@nestjs/common';
import { CacheModule } from '@nova/cache';
import { ManageModule } from '@nova/cells/manage';
import { ConfigModule, type NovaConfig } from '@nova/config';

/** nova-status's services: nova-manage's operations (the upgrade checks among them), no listener. */
@Module({})
export class StatusAppModule {
  static forConfig(config: NovaConfig): DynamicModule {
    return {
      module: StatusAppModule,
      imports: [ConfigModule.forRoot(config), CacheModule, ManageModule],
    };
  }
}
