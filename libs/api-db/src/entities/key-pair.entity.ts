import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from '@nova/database';

/** A keypair, owned by a user (names are unique per user). */
@Entity('key_pairs')
export class KeyPair extends Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255 }) name!: string;
  @Column({ type: 'varchar', length: 255 }) user_id!: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) fingerprint!: string | null;
  @Column({ type: 'text', nullable: true }) public_key!: string | null;
  @Column({ type: 'varchar', length: 10, default: 'ssh' }) type!: string;
}
