import { ComputeNode } from './compute-node.entity';
import { Instance } from './instance.entity';
import {
  InstanceAction,
  InstanceActionEvent,
  InstanceExtra,
  InstanceFault,
  InstanceInfoCache,
  InstanceMetadata,
  InstanceSystemMetadata,
  Tag,
} from './instance-records.entity';
import { Migration } from './migration.entity';
import { Service } from './service.entity';

export * from './compute-node.entity';
export * from './instance.entity';
export * from './instance-records.entity';
export * from './migration.entity';
export * from './service.entity';

/** Every entity of a cell database. */
export const CELL_ENTITIES = [
  Instance,
  InstanceExtra,
  InstanceInfoCache,
  InstanceMetadata,
  InstanceSystemMetadata,
  InstanceFault,
  InstanceAction,
  InstanceActionEvent,
  Tag,
  Service,
  ComputeNode,
  Migration,
];
