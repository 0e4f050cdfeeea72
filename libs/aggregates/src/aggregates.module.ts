import { Module } from '@nestjs/common';
import { ApiDbModule } from '@nova/api-db';
import { AggregateRepository } from './aggregate.repository';
import { AggregateService } from './aggregate.service';

@Module({
  imports: [ApiDbModule],
  providers: [AggregateRepository, AggregateService],
  exports: [AggregateService, AggregateRepository],
})
export class AggregatesModule {}
