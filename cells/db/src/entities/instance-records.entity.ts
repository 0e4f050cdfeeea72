import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { SoftDeletable } from '@nova/database';

/** Per-instance blobs: the embedded flavor (JSON) lives here, as in Nova. */
@Entity('instance_extra')
export class InstanceExtra extends SoftDeletable {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 36 }) instance_uuid!: string;
  @Column({ type: 'text', nullable: true }) flavor!: string | null;
  @Column({ type: 'text', nullable: true }) keypairs!: string | null;
  /** JSON list of security group names (the flat network has no ports to hold them). */
  @Column({ type: 'text', nullable: true }) security_groups!: string | null;
}

/** The network view of an instance (JSON list of VIFs with addresses). */
@Entity('instance_info_caches')
export class InstanceInfoCache extends SoftDeletable {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 36 }) instance_uuid!: string;
  @Column({ type: 'text', nullable: true }) network_info!: string | null;
}

@Entity('instance_metadata')
export class InstanceMetadata extends SoftDeletable {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255 }) key!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) value!: string | null;
  @Column({ type: 'varchar', length: 36 }) instance_uuid!: string;
}

/** Nova-internal per-instance facts (image properties, lock reason...). */
@Entity('instance_system_metadata')
export class InstanceSystemMetadata extends SoftDeletable {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255 }) key!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) value!: string | null;
  @Column({ type: 'varchar', length: 36 }) instance_uuid!: string;
}

@Entity('instance_faults')
export class InstanceFault extends SoftDeletable {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 36 }) instance_uuid!: string;
  @Column({ type: 'integer' }) code!: number;
  @Column({ type: 'varchar', length: 255, nullable: true }) message!: string | null;
  @Column({ type: 'text', nullable: true }) details!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) host!: string | null;
}

@Entity('instance_actions')
export class InstanceAction extends SoftDeletable {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255, nullable: true }) action!: string | null;
  @Column({ type: 'varchar', length: 36 }) instance_uuid!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) request_id!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) user_id!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) project_id!: string | null;
  @Column({ type: 'datetime', precision: 3, nullable: true }) start_time!: Date | null;
  @Column({ type: 'datetime', precision: 3, nullable: true }) finish_time!: Date | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) message!: string | null;
}

@Entity('instance_actions_events')
export class InstanceActionEvent extends SoftDeletable {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255, nullable: true }) event!: string | null;
  @Column({ type: 'integer' }) action_id!: number;
  @Column({ type: 'datetime', precision: 3, nullable: true }) start_time!: Date | null;
  @Column({ type: 'datetime', precision: 3, nullable: true }) finish_time!: Date | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) result!: string | null;
  @Column({ type: 'text', nullable: true }) traceback!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) host!: string | null;
  @Column({ type: 'text', nullable: true }) details!: string | null;
}

@Entity('tags')
export class Tag {
  @PrimaryColumn({ type: 'varchar', length: 36 }) resource_id!: string;
  @PrimaryColumn({ type: 'varchar', length: 80 }) tag!: string;
}
