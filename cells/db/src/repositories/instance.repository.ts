import type { DataSource, Repository } from 'typeorm';
import { NotFound, type RequestContext } from '@nova/common';
import { Instance, InstanceExtra } from '../entities';
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

  /** What the live instances on a host hold, summed per project (raw: one grouped query). */
  async usageOnHost(
    host: string,
  ): Promise<
    Array<{ project_id: string | null; vcpus: number; memory_mb: number; disk_gb: number }>
  > {
    const rows = await this.repo.manager.query<
      Array<{ project_id: string | null; vcpus: unknown; memory_mb: unknown; disk_gb: unknown }>
    >(
      'SELECT project_id, SUM(COALESCE(vcpus, 0)) AS vcpus, SUM(COALESCE(memory_mb, 0)) AS memory_mb, ' +
        'SUM(COALESCE(root_gb, 0) + COALESCE(ephemeral_gb, 0)) AS disk_gb ' +
        'FROM instances WHERE deleted = 0 AND host = ? GROUP BY project_id ORDER BY project_id',
      [host],
    );
    // SUM comes back as a decimal string from MariaDB.
    return rows.map((r) => ({
      project_id: r.project_id,
      vcpus: Number(r.vcpus),
      memory_mb: Number(r.memory_mb),
      disk_gb: Number(r.disk_gb),
    }));
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

  /**
   * Instances active in a period, deleted ones included (Nova's
   * get_active_by_window_joined): launched before `end`, not terminated before
   * `start`, by project id then uuid, after the instance `marker` when given
   * (`markerFound` false when this cell does not hold it), with their flavor JSON.
   */
  async activeInWindow(window: {
    start: Date;
    end: Date;
    projectId?: string;
    limit: number;
    marker?: string;
  }): Promise<{
    markerFound: boolean;
    rows: Array<{ instance: Instance; flavor: string | null }>;
  }> {
    const qb = this.repo
      .createQueryBuilder('i')
      .where('(i.terminated_at IS NULL OR i.terminated_at > :start)', { start: window.start })
      .andWhere('(i.hidden = 0 OR i.hidden IS NULL)')
      .andWhere('i.launched_at < :end', { end: window.end })
      .orderBy('i.project_id', 'ASC')
      .addOrderBy('i.uuid', 'ASC')
      .limit(window.limit);
    if (window.projectId !== undefined) {
      qb.andWhere('i.project_id = :project', { project: window.projectId });
    }
    if (window.marker !== undefined) {
      const marker = await this.findByUuid(window.marker, 'yes');
      if (!marker) {
        return { markerFound: false, rows: [] };
      }
      qb.andWhere('(i.project_id > :mp OR (i.project_id = :mp AND i.uuid > :mu))', {
        mp: marker.project_id,
        mu: marker.uuid,
      });
    }
    if (window.limit <= 0) {
      return { markerFound: true, rows: [] };
    }
    const found = await qb.getMany();
    const extras =
      found.length === 0
        ? []
        : await this.repo.manager
            .getRepository(InstanceExtra)
            .createQueryBuilder('x')
            .select(['x.instance_uuid', 'x.flavor'])
            .where('x.instance_uuid IN (:...uuids)', { uuids: found.map((i) => i.uuid) })
            .getMany();
    const flavors = new Map(extras.map((x) => [x.instance_uuid, x.flavor] as const));
    return {
      markerFound: true,
      rows: found.map((instance) => ({ instance, flavor: flavors.get(instance.uuid) ?? null })),
    };
  }
}
