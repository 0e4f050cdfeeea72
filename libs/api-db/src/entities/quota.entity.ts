import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from '@nova/database';

/** A project's limit for one resource (-1 = unlimited). */
@Entity('quotas')
export class Quota extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255 }) project_id!: string;
  @Column({ type: 'varchar', length: 255 }) resource!: string;
  @Column({ type: 'integer', nullable: true }) hard_limit!: number | null;
}

/** A user's limit within a project. */
@Entity('project_user_quotas')
export class ProjectUserQuota extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255 }) project_id!: string;
  @Column({ type: 'varchar', length: 255 }) user_id!: string;
  @Column({ type: 'varchar', length: 255 }) resource!: string;
  @Column({ type: 'integer', nullable: true }) hard_limit!: number | null;
}

/** A quota class's limit (the `default` class overrides [quota] defaults). */
@Entity('quota_classes')
export class QuotaClass extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255 }) class_name!: string;
  @Column({ type: 'varchar', length: 255 }) resource!: string;
  @Column({ type: 'integer', nullable: true }) hard_limit!: number | null;
}
