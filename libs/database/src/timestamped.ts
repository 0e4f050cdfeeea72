import { BeforeInsert, BeforeUpdate, Column } from 'typeorm';

/** created_at / updated_at as in Nova's TimestampMixin, set by us (UTC, ms precision). */
export abstract class Timestamped {
  @Column({ type: 'datetime', precision: 3, nullable: true })
  created_at!: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  updated_at!: Date | null;

  @BeforeInsert()
  protected stampCreated(): void {
    this.created_at ??= new Date();
  }

  @BeforeUpdate()
  protected stampUpdated(): void {
    this.updated_at = new Date();
  }
}

/** deleted_at / deleted as in Nova's SoftDeleteMixin: deleted = 0 while live, = id once deleted. */
export abstract class SoftDeletable extends Timestamped {
  @Column({ type: 'datetime', precision: 3, nullable: true })
  deleted_at!: Date | null;

  @Column({ type: 'integer', default: 0 })
  deleted!: number;
}
