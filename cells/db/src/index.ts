export { CELL_MIGRATIONS } from '@nova/migrations/cell';
export * from './cell-db';
export * from './entities';
export * from './repositories/compute-node.repository';
export * from './repositories/instance.repository';
export * from './repositories/service.repository';
export * from './repositories/instance-writer';
export * from './repositories/server-reader';
export * from './repositories/host-reports';
