import { Aggregate, AggregateHost, AggregateMetadata } from './aggregate.entity';
import { CellMapping } from './cell-mapping.entity';
import { Flavor, FlavorExtraSpec, FlavorProject } from './flavor.entity';
import { HostMapping } from './host-mapping.entity';
import { InstanceGroup, InstanceGroupMember, InstanceGroupPolicy } from './instance-group.entity';
import { InstanceMapping } from './instance-mapping.entity';
import { KeyPair } from './key-pair.entity';
import {
  Allocation,
  Consumer,
  Inventory,
  ResourceClass,
  ResourceProvider,
  ResourceProviderTrait,
  Trait,
} from './placement.entity';
import { ProjectUserQuota, Quota, QuotaClass } from './quota.entity';

export * from './aggregate.entity';
export * from './cell-mapping.entity';
export * from './flavor.entity';
export * from './host-mapping.entity';
export * from './instance-group.entity';
export * from './instance-mapping.entity';
export * from './key-pair.entity';
export * from './placement.entity';
export * from './quota.entity';

/** Every entity of the API database (the DataSource is built with this list). */
export const API_ENTITIES = [
  CellMapping,
  HostMapping,
  InstanceMapping,
  Flavor,
  FlavorExtraSpec,
  FlavorProject,
  KeyPair,
  Quota,
  ProjectUserQuota,
  QuotaClass,
  Aggregate,
  AggregateHost,
  AggregateMetadata,
  InstanceGroup,
  InstanceGroupPolicy,
  InstanceGroupMember,
  ResourceClass,
  ResourceProvider,
  Inventory,
  Consumer,
  Allocation,
  Trait,
  ResourceProviderTrait,
];
