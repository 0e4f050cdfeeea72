import { Injectable } from '@nestjs/common';
import { ApiDatabase } from '@nova/api-db';

export interface ProjectUsage {
  instances: number;
  cores: number;
  ram: number;
  key_pairs: number;
  server_groups: number;
}

/**
 * Usage counted live from the API database, never from cell databases, so a
 * down cell cannot let a project exceed its quota (Nova's
 * count_usage_from_placement): instances from instance_mappings not queued for
 * delete, cores and RAM from the resource allocations of the project's
 * consumers, keypairs per user, server groups per project.
 */
@Injectable()
export class UsageCounter {
  constructor(private readonly db: ApiDatabase) {}

  async projectUsage(projectId: string, userId?: string): Promise<ProjectUsage> {
    const ds = await this.db.get();
    const userClause = userId === undefined ? '' : ' AND user_id = ?';
    const params = userId === undefined ? [projectId] : [projectId, userId];
    const [instances, resources, groups] = await Promise.all<unknown>([
      ds.query(
        `SELECT COUNT(*) AS n FROM instance_mappings WHERE project_id = ? AND queued_for_delete = 0${userClause}`,
        params,
      ),
      ds.query(
        `SELECT rc.name AS name, COALESCE(SUM(a.used), 0) AS used FROM allocations a
           JOIN consumers c ON c.uuid = a.consumer_id
           JOIN resource_classes rc ON rc.id = a.resource_class_id
          WHERE c.project_id = ?${userId === undefined ? '' : ' AND c.user_id = ?'} AND rc.name IN ('VCPU', 'MEMORY_MB')
          GROUP BY rc.name`,
        params,
      ),
      ds.query(
        `SELECT COUNT(*) AS n FROM instance_groups WHERE project_id = ?${userClause}`,
        params,
      ),
    ]);
    const used = new Map(
      (resources as Array<{ name: string; used: number | string }>).map((r) => [
        r.name,
        Number(r.used),
      ]),
    );
    return {
      instances: count(instances),
      cores: used.get('VCPU') ?? 0,
      ram: used.get('MEMORY_MB') ?? 0,
      key_pairs: userId === undefined ? 0 : await this.keyPairs(userId),
      server_groups: count(groups),
    };
  }

  async keyPairs(userId: string): Promise<number> {
    return count(
      await (
        await this.db.get()
      ).query('SELECT COUNT(*) AS n FROM key_pairs WHERE user_id = ?', [userId]),
    );
  }

  async serverGroupMembers(groupUuid: string): Promise<number> {
    return count(
      await (
        await this.db.get()
      ).query(
        'SELECT COUNT(*) AS n FROM instance_group_member m JOIN instance_groups g ON g.id = m.group_id WHERE g.uuid = ?',
        [groupUuid],
      ),
    );
  }
}

function count(rows: unknown): number {
  return Number((rows as Array<{ n: number | string }>)[0]?.n ?? 0);
}
