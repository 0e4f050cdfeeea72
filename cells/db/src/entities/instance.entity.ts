import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { SoftDeletable } from '@nova/database';

/** An instance in its cell (Nova's `instances` table). */
@Entity('instances')
export class Instance extends SoftDeletable {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 36 }) uuid!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) user_id!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) project_id!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) image_ref!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) hostname!: string | null;
  @Column({ type: 'integer', nullable: true }) launch_index!: number | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) key_name!: string | null;
  @Column({ type: 'text', nullable: true }) key_data!: string | null;
  @Column({ type: 'integer', nullable: true }) power_state!: number | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) vm_state!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) task_state!: string | null;
  @Column({ type: 'integer', nullable: true }) memory_mb!: number | null;
  @Column({ type: 'integer', nullable: true }) vcpus!: number | null;
  @Column({ type: 'integer', nullable: true }) root_gb!: number | null;
  @Column({ type: 'integer', nullable: true }) ephemeral_gb!: number | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) host!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) node!: string | null;
  @Column({ type: 'integer', nullable: true }) instance_type_id!: number | null;
  @Column({ type: 'text', nullable: true }) user_data!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) reservation_id!: string | null;
  @Column({ type: 'datetime', precision: 3, nullable: true }) launched_at!: Date | null;
  @Column({ type: 'datetime', precision: 3, nullable: true }) terminated_at!: Date | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) availability_zone!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) display_name!: string | null;
  @Column({ type: 'text', nullable: true }) display_description!: string | null;
  @Column({ type: 'text', nullable: true }) launched_on!: string | null;
  @Column({ type: 'boolean', default: false }) locked!: boolean;
  @Column({ type: 'varchar', length: 10, nullable: true }) locked_by!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) os_type!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) architecture!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) root_device_name!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) config_drive!: string | null;
  @Column({ type: 'varchar', length: 39, nullable: true }) access_ip_v4!: string | null;
  @Column({ type: 'varchar', length: 39, nullable: true }) access_ip_v6!: string | null;
  @Column({ type: 'boolean', nullable: true }) auto_disk_config!: boolean | null;
  @Column({ type: 'integer', nullable: true }) progress!: number | null;
  @Column({ type: 'bigint', nullable: true }) compute_id!: string | null;
  @Column({ type: 'boolean', default: false }) hidden!: boolean;
}
