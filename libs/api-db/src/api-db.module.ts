import { Module } from '@nestjs/common';
import { ApiDatabase } from './api-database';
import { CellMappingRepository } from './repositories/cell-mapping.repository';
import { HostMappingRepository } from './repositories/host-mapping.repository';
import { InstanceMappingRepository } from './repositories/instance-mapping.repository';

const providers = [
  ApiDatabase,
  CellMappingRepository,
  HostMappingRepository,
  InstanceMappingRepository,
];

/** The API database and its repositories. Needs ConfigModule. */
@Module({ providers, exports: providers })
export class ApiDbModule {}
