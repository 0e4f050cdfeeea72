import { In, type DataSource, type Repository } from 'typeorm';
import { ComputeNode, Service } from '../entities';

/** Totals over the compute nodes of enabled nova-compute services (os-hypervisors/statistics). */
export interface ComputeNodeTotals {
  count: number;
  vcpus: number;
  memory_mb: number;
  local_gb: number;
  vcpus_used: number;
  memory_mb_used: number;
  local_gb_used: number;
  free_ram_mb: number;
  free_disk_gb: number;
  current_workload: number;
  running_vms: number;
  disk_available_least: number;
}

export const COMPUTE_NODE_TOTAL_FIELDS = [
  'count',
  'vcpus',
  'memory_mb',
  'local_gb',
  'vcpus_used',
  'memory_mb_used',
  'local_gb_used',
  'free_ram_mb',
  'free_disk_gb',
  'current_workload',
  'running_vms',
  'disk_available_least',
] as const satisfies ReadonlyArray<keyof ComputeNodeTotals>;

/** Compute nodes of one cell. Every read skips soft-deleted rows. */
export class ComputeNodeRepository {
  private readonly repo: Repository<ComputeNode>;

  constructor(ds: DataSource) {
    this.repo = ds.getRepository(ComputeNode);
  }

  /** Live nodes not yet mapped by discover_hosts, in id order. */
  listUnmapped(): Promise<ComputeNode[]> {
    return this.repo
      .createQueryBuilder('n')
      .where('n.deleted = 0 AND n.mapped < 1')
      .orderBy('n.id')
      .getMany();
  }

  listLive(host?: string): Promise<ComputeNode[]> {
    return this.repo.find({
      where: { deleted: 0, ...(host === undefined ? {} : { host }) },
      order: { id: 'ASC' },
    });
  }

  /** Live nodes of these hosts, in id order. */
  listLiveOnHosts(hosts: readonly string[]): Promise<ComputeNode[]> {
    if (hosts.length === 0) {
      return Promise.resolve([]);
    }
    return this.repo.find({
      where: { deleted: 0, host: In([...new Set(hosts)]) },
      order: { id: 'ASC' },
    });
  }

  async setMapped(ids: number[], mapped: 0 | 1): Promise<void> {
    if (ids.length > 0) {
      await this.repo.update({ id: In(ids) }, { mapped, updated_at: new Date() });
    }
  }

  findById(id: number): Promise<ComputeNode | null> {
    return this.repo.findOneBy({ id, deleted: 0 });
  }

  findByUuid(uuid: string): Promise<ComputeNode | null> {
    return this.repo.findOneBy({ uuid, deleted: 0 });
  }

  /** Up to `limit` live nodes (all without a limit) with an id above `afterId`, in id order. */
  page(limit?: number, afterId?: number): Promise<ComputeNode[]> {
    if (limit === 0) {
      return Promise.resolve([]); // TypeORM reads take(0) as "no limit"
    }
    const qb = this.repo.createQueryBuilder('n').where('n.deleted = 0');
    if (afterId !== undefined) {
      qb.andWhere('n.id > :afterId', { afterId });
    }
    qb.orderBy('n.id', 'ASC');
    if (limit !== undefined) {
      qb.take(limit);
    }
    return qb.getMany();
  }

  /** Live nodes whose hypervisor hostname contains `fragment` (taken literally), in id order. */
  searchByHostname(fragment: string): Promise<ComputeNode[]> {
    // '!' escapes LIKE wildcards the same way on MariaDB and SQLite.
    const literal = fragment.replace(/[!%_]/g, (c) => `!${c}`);
    return this.repo
      .createQueryBuilder('n')
      .where('n.deleted = 0')
      .andWhere("n.hypervisor_hostname LIKE :pattern ESCAPE '!'", { pattern: `%${literal}%` })
      .orderBy('n.id', 'ASC')
      .getMany();
  }

  /** Sums over live nodes whose host runs a live, enabled nova-compute service. */
  async totals(): Promise<ComputeNodeTotals> {
    const qb = this.repo
      .createQueryBuilder('n')
      .innerJoin(
        Service,
        's',
        '(s.host = n.host OR s.id = n.service_id) AND s.disabled = 0 AND s.binary = :binary AND s.deleted = 0',
        { binary: 'nova-compute' },
      )
      .where('n.deleted = 0')
      .select('COUNT(*)', 'count');
    for (const field of COMPUTE_NODE_TOTAL_FIELDS.slice(1)) {
      qb.addSelect(`SUM(n.${field})`, field);
    }
    const row = (await qb.getRawOne<Record<string, string | number | null>>()) ?? {};
    const totals = {} as ComputeNodeTotals;
    for (const field of COMPUTE_NODE_TOTAL_FIELDS) {
      totals[field] = Number(row[field] ?? 0) || 0;
    }
    return totals;
  }
}
