import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { SoftDeletable } from '@nova/database';

/** A move of an instance (resize, cold or live migration, evacuation), as Nova records it. */
@Entity('migrations')
export class Migration extends SoftDeletable {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 36 }) uuid!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) source_compute!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) dest_compute!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) source_node!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) dest_node!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) dest_host!: string | null;
  @Column({ type: 'integer', nullable: true }) old_instance_type_id!: number | null;
  @Column({ type: 'integer', nullable: true }) new_instance_type_id!: number | null;
  @Column({ type: 'varchar', length: 36, nullable: true }) instance_uuid!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) status!: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) migration_type!: string | null;
  @Column({ type: 'boolean', default: false }) hidden!: boolean;
  @Column({ type: 'boolean', default: false }) cross_cell_move!: boolean;
  @Column({ type: 'varchar', length: 255, nullable: true }) user_id!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) project_id!: string | null;
}
