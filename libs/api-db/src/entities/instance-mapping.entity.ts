import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CellMapping } from './cell-mapping.entity';
import { Timestamped } from '@nova/database';

/** Project id of the fake mapping `map_instances` uses to remember where it stopped. */
export const INSTANCE_MIGRATION_MARKER = 'INSTANCE_MIGRATION_MARKER';

/** The global index: which cell an instance lives in (no cell = not scheduled yet). */
@Entity('instance_mappings')
export class InstanceMapping extends Timestamped {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 36 })
  instance_uuid!: string;

  @Column({ type: 'integer', nullable: true })
  cell_id!: number | null;

  @ManyToOne(() => CellMapping, { nullable: true })
  @JoinColumn({ name: 'cell_id' })
  cell?: CellMapping | null;

  @Column({ type: 'varchar', length: 255 })
  project_id!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  user_id!: string | null;

  @Column({ type: 'boolean', default: false })
  queued_for_delete!: boolean;
}
