import { Module, type DynamicModule } from '@nestjs/common';
import { CacheModule } from '@nova/cache';
import { ManageModule } from '@nova/cells/manage';
import { ConfigModule, type NovaConfig } from '@nova/config';

/** nova-manage's services: the same modules the servers use, without any listener. */
@Module({})
export class ManageAppModule {
  static forConfig(config: NovaConfig): DynamicModule {
    return {
      module: ManageAppModule,
      imports: [ConfigModule.forRoot(config), CacheModule, ManageModule],
    };
  }
}
