import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { SoftDeletable } from '@nova/database';

/** A hypervisor node and its resources, reported by its nova-compute. */
@Entity('compute_nodes')
export class ComputeNode extends SoftDeletable {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 36, nullable: true }) uuid!: string | null;
  @Column({ type: 'integer', nullable: true }) service_id!: number | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) host!: string | null;
  @Column({ type: 'integer' }) vcpus!: number;
  @Column({ type: 'integer' }) memory_mb!: number;
  @Column({ type: 'integer' }) local_gb!: number;
  @Column({ type: 'integer', default: 0 }) vcpus_used!: number;
  @Column({ type: 'integer', default: 0 }) memory_mb_used!: number;
  @Column({ type: 'integer', default: 0 }) local_gb_used!: number;
  @Column({ type: 'varchar', length: 255, nullable: true }) hypervisor_type!: string | null;
  @Column({ type: 'bigint', nullable: true }) hypervisor_version!: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) hypervisor_hostname!: string | null;
  @Column({ type: 'integer', nullable: true }) free_ram_mb!: number | null;
  @Column({ type: 'integer', nullable: true }) free_disk_gb!: number | null;
  @Column({ type: 'integer', nullable: true }) current_workload!: number | null;
  @Column({ type: 'integer', nullable: true }) running_vms!: number | null;
  @Column({ type: 'text', nullable: true }) cpu_info!: string | null;
  @Column({ type: 'integer', nullable: true }) disk_available_least!: number | null;
  @Column({ type: 'varchar', length: 39, nullable: true }) host_ip!: string | null;
  @Column({ type: 'text', nullable: true }) stats!: string | null;
  @Column({ type: 'float', nullable: true }) cpu_allocation_ratio!: number | null;
  @Column({ type: 'float', nullable: true }) ram_allocation_ratio!: number | null;
  @Column({ type: 'float', nullable: true }) disk_allocation_ratio!: number | null;
  /** 1 once `discover_hosts` created the host mapping for this node. */
  @Column({ type: 'integer', default: 0 }) mapped!: number;
}
