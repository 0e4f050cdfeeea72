import { ComputeNode } from './compute-node.entity';
import { Instance } from './instance.entity';
import { Service } from './service.entity';

export * from './compute-node.entity';
export * from './instance.entity';
export * from './service.entity';

/** Every entity of a cell database. */
export const CELL_ENTITIES = [Instance, Service, ComputeNode];
