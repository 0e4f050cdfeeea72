import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from '@nova/database';

export const CELL0_UUID = '00000000-0000-0000-0000-000000000000';
export const CELL0_NAME = 'cell0';
/** cell0 has no message queue. */
export const CELL0_TRANSPORT_URL = 'none:///';

/** Where a cell's database and queue are. URLs may be Nova templates (`{username}`...). */
@Entity('cell_mappings')
export class CellMapping extends Timestamped {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 36 })
  uuid!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  name!: string | null;

  @Column({ type: 'text' })
  transport_url!: string;

  @Column({ type: 'text' })
  database_connection!: string;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;
}
