import type { DataSource, Repository } from 'typeorm';
import { NotFound, type RequestContext } from '@nova/common';
import { Instance } from '../entities';
import { withReadDeleted } from './read-deleted';

export class InstanceRepository {
  private readonly repo: Repository<Instance>;

  constructor(
    ds: DataSource,
    private readonly readDeleted: RequestContext['readDeleted'],
  ) {
    this.repo = ds.getRepository(Instance);
  }

  async findByUuid(uuid: string, readDeleted = this.readDeleted): Promise<Instance | null> {
    const qb = this.repo.createQueryBuilder('i').where('i.uuid = :uuid', { uuid });
    return withReadDeleted(qb, 'i', readDeleted).getOne();
  }

  /** Live (not deleted) instances, optionally on one host. */
  async countLive(host?: string): Promise<number> {
    const qb = this.repo.createQueryBuilder('i').where('i.deleted = 0');
    if (host !== undefined) {
      qb.andWhere('i.host = :host', { host });
    }
    return qb.getCount();
  }

  /** Live instances on any of these hosts (id, uuid, host and node only), in id order. */
  async listOnHosts(hosts: readonly string[]): Promise<Instance[]> {
    if (hosts.length === 0) {
      return [];
    }
    return this.repo
      .createQueryBuilder('i')
      .select(['i.id', 'i.uuid', 'i.host', 'i.node'])
      .where('i.deleted = 0')
      .andWhere('i.host IN (:...hosts)', { hosts: [...new Set(hosts)] })
      .orderBy('i.id', 'ASC')
      .getMany();
  }

  /** Where every live instance of the cell runs (the scheduler's view), raw: no hydration. */
  async placements(): Promise<Array<Pick<Instance, 'uuid' | 'host' | 'node'>>> {
    return this.repo.manager.query<Array<Pick<Instance, 'uuid' | 'host' | 'node'>>>(
      'SELECT uuid, host, node FROM instances WHERE deleted = 0 AND host IS NOT NULL',
    );
  }

  /**
   * Instances oldest first, deleted ones included, after the instance `afterUuid`
   * (the `map_instances` walk). Ties on created_at are broken by id.
   */
  async listOldestFirst(limit: number, afterUuid: string | null): Promise<Instance[]> {
    const qb = this.repo
      .createQueryBuilder('i')
      .orderBy('i.created_at', 'ASC')
      .addOrderBy('i.id', 'ASC')
      .take(limit);
    if (afterUuid !== null) {
      const marker = await this.findByUuid(afterUuid, 'yes');
      if (!marker) {
        throw new NotFound(`Marker ${afterUuid} could not be found.`, { marker: afterUuid });
      }
      qb.where('(i.created_at > :c OR (i.created_at = :c AND i.id > :id))', {
        c: marker.created_at,
        id: marker.id,
      });
    }
    return qb.getMany();
  }
}
