import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CellMapping } from './cell-mapping.entity';
import { Timestamped } from '@nova/database';

/** Which cell a compute host lives in. */
@Entity('host_mappings')
export class HostMapping extends Timestamped {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer' })
  cell_id!: number;

  @ManyToOne(() => CellMapping, { eager: true })
  @JoinColumn({ name: 'cell_id' })
  cell!: CellMapping;

  @Column({ type: 'varchar', length: 255 })
  host!: string;
}
