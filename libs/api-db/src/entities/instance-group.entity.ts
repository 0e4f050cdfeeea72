import { Column, Entity, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from '@nova/database';

/** A server group (Nova's `instance_groups`). */
@Entity('instance_groups')
export class InstanceGroup extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 36 }) uuid!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) name!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) user_id!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) project_id!: string | null;

  @OneToMany(() => InstanceGroupPolicy, (p) => p.group)
  policies?: InstanceGroupPolicy[];

  @OneToMany(() => InstanceGroupMember, (m) => m.group)
  members?: InstanceGroupMember[];
}

/** The group's policy (one per group since 2.64) and its rules as JSON. */
@Entity('instance_group_policy')
export class InstanceGroupPolicy extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255 }) policy!: string;
  @Column({ type: 'text', nullable: true }) rules!: string | null;
  @Column({ type: 'integer' }) group_id!: number;

  @ManyToOne(() => InstanceGroup, (g) => g.policies, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id' })
  group?: InstanceGroup;
}

@Entity('instance_group_member')
export class InstanceGroupMember extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 36 }) instance_uuid!: string;
  @Column({ type: 'integer' }) group_id!: number;

  @ManyToOne(() => InstanceGroup, (g) => g.members, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id' })
  group?: InstanceGroup;
}
