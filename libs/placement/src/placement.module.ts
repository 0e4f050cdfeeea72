import { Module } from '@nestjs/common';
import { ApiDbModule } from '@nova/api-db';
import { PlacementService } from './placement.service';

/** Placement over the API database. Needs ConfigModule. */
@Module({ imports: [ApiDbModule], providers: [PlacementService], exports: [PlacementService] })
export class PlacementModule {}
