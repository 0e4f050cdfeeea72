import { Module } from '@nestjs/common';
import { ApiDbModule } from '@nova/api-db';
import { AvailabilityZoneRepository } from './availability-zone.repository';
import { AvailabilityZones } from './availability-zones';

/** Which availability zone a host or service is in. Needs ConfigModule. */
@Module({
  imports: [ApiDbModule],
  providers: [AvailabilityZoneRepository, AvailabilityZones],
  exports: [AvailabilityZones],
})
export class AvailabilityZonesModule {}
