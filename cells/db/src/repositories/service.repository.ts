import { In, type DataSource, type Repository } from 'typeorm';
import { writeTransaction } from '@nova/database';
import { ComputeNode, Service } from '../entities';

/** What an operator may change on a service (os-services PUT). */
export type ServiceChanges = Partial<Pick<Service, 'disabled' | 'disabled_reason' | 'forced_down'>>;

/** Services of one cell. Every read skips soft-deleted rows. */
export class ServiceRepository {
  private readonly repo: Repository<Service>;

  constructor(private readonly ds: DataSource) {
    this.repo = ds.getRepository(Service);
  }

  /** Live services of one binary (disabled ones too), in id order. */
  listByBinary(binary: string): Promise<Service[]> {
    return this.repo.find({ where: { binary, deleted: 0 }, order: { id: 'ASC' } });
  }

  /** Live services, optionally of one host and/or binary, in id order. */
  list(filters: { host?: string; binary?: string } = {}): Promise<Service[]> {
    return this.repo.find({
      where: {
        deleted: 0,
        ...(filters.host === undefined ? {} : { host: filters.host }),
        ...(filters.binary === undefined ? {} : { binary: filters.binary }),
      },
      order: { id: 'ASC' },
    });
  }

  /** The live nova-compute services of these hosts. */
  listComputesOnHosts(hosts: readonly string[]): Promise<Service[]> {
    if (hosts.length === 0) {
      return Promise.resolve([]);
    }
    return this.repo.find({
      where: { host: In([...new Set(hosts)]), binary: 'nova-compute', deleted: 0 },
      order: { id: 'ASC' },
    });
  }

  findById(id: number): Promise<Service | null> {
    return this.repo.findOneBy({ id, deleted: 0 });
  }

  findByUuid(uuid: string): Promise<Service | null> {
    return this.repo.findOneBy({ uuid, deleted: 0 });
  }

  findByHostAndBinary(host: string, binary: string): Promise<Service | null> {
    return this.repo.findOneBy({ host, binary, deleted: 0 });
  }

  /** Apply `changes` (and bump updated_at); returns the row as stored afterwards. */
  async update(service: Pick<Service, 'id'>, changes: ServiceChanges): Promise<Service> {
    await this.repo.update({ id: service.id, deleted: 0 }, { ...changes, updated_at: new Date() });
    return this.repo.findOneByOrFail({ id: service.id });
  }

  /**
   * Soft-delete a service (deleted = id, as Nova does); a nova-compute takes its
   * compute nodes with it (those linked by service id or by host), atomically.
   */
  async softDelete(service: Pick<Service, 'id' | 'binary' | 'host'>): Promise<void> {
    const now = new Date();
    await writeTransaction(this.ds, async (tx) => {
      await tx
        .getRepository(Service)
        .createQueryBuilder()
        .update()
        .set({ deleted: () => 'id', deleted_at: now })
        .where('id = :id AND deleted = 0', { id: service.id })
        .execute();
      if (service.binary === 'nova-compute') {
        await tx
          .getRepository(ComputeNode)
          .createQueryBuilder()
          .update()
          .set({ deleted: () => 'id', deleted_at: now })
          .where('deleted = 0 AND (service_id = :id OR host = :host)', {
            id: service.id,
            host: service.host,
          })
          .execute();
      }
    });
  }
}
