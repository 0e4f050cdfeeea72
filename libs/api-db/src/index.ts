export { API_MIGRATIONS } from '@nova/migrations/api';
export * from './api-database';
export * from './api-db.module';
export * from './entities';
export * from './repositories/cell-mapping.repository';
export * from './repositories/host-mapping.repository';
export * from './repositories/instance-mapping.repository';
