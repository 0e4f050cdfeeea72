import { Column, Entity, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from '@nova/database';

/** A flavor (Nova's `flavors`); `flavorid` is the id the API shows. */
@Entity('flavors')
export class Flavor extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255 }) name!: string;
  @Column({ type: 'integer' }) memory_mb!: number;
  @Column({ type: 'integer' }) vcpus!: number;
  @Column({ type: 'integer', default: 0 }) swap!: number;
  @Column({ type: 'integer', nullable: true }) vcpu_weight!: number | null;
  @Column({ type: 'varchar', length: 255 }) flavorid!: string;
  @Column({ type: 'float', nullable: true, default: 1 }) rxtx_factor!: number | null;
  @Column({ type: 'integer', nullable: true }) root_gb!: number | null;
  @Column({ type: 'integer', nullable: true }) ephemeral_gb!: number | null;
  @Column({ type: 'boolean', default: false }) disabled!: boolean;
  @Column({ type: 'boolean', default: true }) is_public!: boolean;
  @Column({ type: 'text', nullable: true }) description!: string | null;

  @OneToMany(() => FlavorExtraSpec, (spec) => spec.flavor)
  extra_specs?: FlavorExtraSpec[];
}

@Entity('flavor_extra_specs')
export class FlavorExtraSpec extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) flavor_id!: number;
  @Column({ type: 'varchar', length: 255 }) key!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) value!: string | null;

  @ManyToOne(() => Flavor, (flavor) => flavor.extra_specs, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'flavor_id' })
  flavor?: Flavor;
}

/** Projects that may use a private flavor. */
@Entity('flavor_projects')
export class FlavorProject extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'integer' }) flavor_id!: number;
  @Column({ type: 'varchar', length: 255 }) project_id!: string;
}
