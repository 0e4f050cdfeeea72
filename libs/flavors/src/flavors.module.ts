import { Module } from '@nestjs/common';
import { ApiDbModule } from '@nova/api-db';
import { FlavorRepository } from './flavor.repository';
import { FlavorService } from './flavor.service';

@Module({
  imports: [ApiDbModule],
  providers: [FlavorRepository, FlavorService],
  exports: [FlavorService, FlavorRepository],
})
export class FlavorsModule {}
