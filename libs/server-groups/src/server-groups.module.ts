import { Module } from '@nestjs/common';
import { ApiDbModule } from '@nova/api-db';
import { QuotaModule } from '@nova/quota';
import { ServerGroupRepository } from './server-group.repository';
import { ServerGroupService } from './server-group.service';

/** Server groups over the API database; needs ConfigModule. */
@Module({
  imports: [ApiDbModule, QuotaModule],
  providers: [ServerGroupRepository, ServerGroupService],
  exports: [ServerGroupService],
})
export class ServerGroupsModule {}
