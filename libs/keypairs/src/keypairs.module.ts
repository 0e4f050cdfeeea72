import { Module } from '@nestjs/common';
import { ApiDbModule } from '@nova/api-db';
import { QuotaModule } from '@nova/quota';
import { KeypairRepository } from './keypair.repository';
import { KeypairService } from './keypair.service';

@Module({
  imports: [ApiDbModule, QuotaModule],
  providers: [KeypairRepository, KeypairService],
  exports: [KeypairService],
})
export class KeypairsModule {}
