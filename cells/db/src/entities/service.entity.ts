import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { SoftDeletable } from '@nova/database';

/** A service (nova-compute, nova-conductor...) registered in its cell, with its heartbeat. */
@Entity('services')
export class Service extends SoftDeletable {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 36, nullable: true }) uuid!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) host!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) binary!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) topic!: string | null;
  @Column({ type: 'integer', default: 0 }) report_count!: number;
  @Column({ type: 'boolean', default: false }) disabled!: boolean;
  @Column({ type: 'varchar', length: 255, nullable: true }) disabled_reason!: string | null;
  @Column({ type: 'datetime', precision: 3, nullable: true }) last_seen_up!: Date | null;
  @Column({ type: 'boolean', default: false }) forced_down!: boolean;
  @Column({ type: 'integer', nullable: true, default: 0 }) version!: number | null;
}
