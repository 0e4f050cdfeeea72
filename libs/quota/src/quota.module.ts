import { Module } from '@nestjs/common';
import { ApiDbModule } from '@nova/api-db';
import { QuotaLimitsRepository } from './quota-limits.repository';
import { QuotaService } from './quota.service';
import { UsageCounter } from './usage-counter';

@Module({
  imports: [ApiDbModule],
  providers: [QuotaLimitsRepository, UsageCounter, QuotaService],
  exports: [QuotaService, UsageCounter],
})
export class QuotaModule {}
