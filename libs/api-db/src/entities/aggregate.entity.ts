import { Column, Entity, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from '@nova/database';

/** A host aggregate; its `availability_zone` metadata makes it an availability zone. */
@Entity('aggregates')
export class Aggregate extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 36 }) uuid!: string;
  @Column({ type: 'varchar', length: 255 }) name!: string;

  @OneToMany(() => AggregateHost, (h) => h.aggregate)
  hosts?: AggregateHost[];

  @OneToMany(() => AggregateMetadata, (m) => m.aggregate)
  metadata?: AggregateMetadata[];
}

@Entity('aggregate_hosts')
export class AggregateHost extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255 }) host!: string;
  @Column({ type: 'integer' }) aggregate_id!: number;

  @ManyToOne(() => Aggregate, (a) => a.hosts, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'aggregate_id' })
  aggregate?: Aggregate;
}

@Entity('aggregate_metadata')
export class AggregateMetadata extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) aggregate_id!: number;
  @Column({ type: 'varchar', length: 255 }) key!: string;
  @Column({ type: 'varchar', length: 255 }) value!: string;

  @ManyToOne(() => Aggregate, (a) => a.metadata, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'aggregate_id' })
  aggregate?: Aggregate;
}
