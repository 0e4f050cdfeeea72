import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from '@nova/database';

/** Resource tracking, Placement's model kept in the API database. */
@Entity('resource_classes')
export class ResourceClass extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255 }) name!: string;
}

/** A compute node as a resource provider (uuid = the compute node's uuid). */
@Entity('resource_providers')
export class ResourceProvider extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 36 }) uuid!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  /** Bumped by every change to the provider's inventory or allocations (optimistic concurrency). */
  @Column({ type: 'integer', default: 0 }) generation!: number;
  @Column({ type: 'integer', nullable: true }) root_provider_id!: number | null;
  @Column({ type: 'integer', nullable: true }) parent_provider_id!: number | null;
}

@Entity('inventories')
export class Inventory extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) resource_provider_id!: number;
  @Column({ type: 'integer' }) resource_class_id!: number;
  @Column({ type: 'integer' }) total!: number;
  @Column({ type: 'integer', default: 0 }) reserved!: number;
  @Column({ type: 'integer', default: 1 }) min_unit!: number;
  @Column({ type: 'integer' }) max_unit!: number;
  @Column({ type: 'integer', default: 1 }) step_size!: number;
  @Column({ type: 'float', default: 1 }) allocation_ratio!: number;
}

/** Who uses resources: an instance (uuid), with its project and user for quota counting. */
@Entity('consumers')
export class Consumer extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 36 }) uuid!: string;
  @Column({ type: 'varchar', length: 255 }) project_id!: string;
  @Column({ type: 'varchar', length: 255 }) user_id!: string;
  @Column({ type: 'integer', default: 0 }) generation!: number;
}

@Entity('allocations')
export class Allocation extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) resource_provider_id!: number;
  @Column({ type: 'varchar', length: 36 }) consumer_id!: string;
  @Column({ type: 'integer' }) resource_class_id!: number;
  @Column({ type: 'integer' }) used!: number;
}

@Entity('traits')
export class Trait extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255 }) name!: string;
}

@Entity('resource_provider_traits')
export class ResourceProviderTrait extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) resource_provider_id!: number;
  @Column({ type: 'integer' }) trait_id!: number;
}
