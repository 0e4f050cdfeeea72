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
 * consumers plus the flavors of builds not yet claimed, keypairs per user,
 * server groups per project.
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
    const pending = await this.unclaimedBuilds(projectId, userId);
    return {
      instances: count(instances),
      cores: (used.get('VCPU') ?? 0) + pending.cores,
      ram: (used.get('MEMORY_MB') ?? 0) + pending.ram,
      key_pairs: userId === undefined ? 0 : await this.keyPairs(userId),
      server_groups: count(groups),
    };
  }

  /**
   * Builds accepted but not yet claimed on a host hold no allocations: count
   * their flavors, so a burst of creates cannot slip past the quota meanwhile.
   */
  private async unclaimedBuilds(
    projectId: string,
    userId?: string,
  ): Promise<{ cores: number; ram: number }> {
    const ds = await this.db.get();
    const rows = await ds.query<Array<{ instance: string }>>(
      `SELECT b.instance FROM build_requests b
        WHERE b.project_id = ?${userId === undefined ? '' : ' AND b.user_id = ?'}
          AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.consumer_id = b.instance_uuid)`,
      userId === undefined ? [projectId] : [projectId, userId],
    );
    let cores = 0;
    let ram = 0;
    for (const row of rows) {
      const flavor = (
        JSON.parse(row.instance) as { flavor?: { vcpus?: number; memory_mb?: number } }
      ).flavor;
      cores += flavor?.vcpus ?? 0;
      ram += flavor?.memory_mb ?? 0;
    }
    return { cores, ram };
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
