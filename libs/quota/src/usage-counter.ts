import { Injectable } from '@nestjs/common';
import { ApiDatabase } from '@nova/api-db';

export interface InstanceUsage {
  instances: number;
  cores: number;
  ram: number;
}

export interface ProjectUsage extends InstanceUsage {
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
    const [instances, groups, keyPairs] = await Promise.all([
      this.instanceUsage(projectId, userId),
      ds.query<CountRows>(
        `SELECT COUNT(*) AS n FROM instance_groups WHERE project_id = ?${userClause}`,
        params,
      ),
      userId === undefined ? 0 : this.keyPairs(userId),
    ]);
    return { ...instances, key_pairs: keyPairs, server_groups: count(groups) };
  }

  /**
   * What a server create is checked against: instances, cores and ram, read at
   * once (a create needs neither server groups nor keypairs counted). Cores and
   * ram come from the allocations and from the builds not yet claimed on a host
   * (they hold no allocations: a burst of creates must not slip past the quota
   * meanwhile), in one statement: a claim landing between two reads would
   * otherwise leave its build counted in neither.
   */
  async instanceUsage(projectId: string, userId?: string): Promise<InstanceUsage> {
    const ds = await this.db.get();
    const byUser = userId !== undefined;
    const params = byUser ? [projectId, userId] : [projectId];
    const [instances, rows] = await Promise.all([
      ds.query<CountRows>(
        `SELECT COUNT(*) AS n FROM instance_mappings WHERE project_id = ? AND queued_for_delete = 0${byUser ? ' AND user_id = ?' : ''}`,
        params,
      ),
      ds.query<Array<{ name: string | null; used: number | string | null; build: string | null }>>(
        `SELECT rc.name AS name, COALESCE(SUM(a.used), 0) AS used, NULL AS build FROM allocations a
           JOIN consumers c ON c.uuid = a.consumer_id
           JOIN resource_classes rc ON rc.id = a.resource_class_id
          WHERE c.project_id = ?${byUser ? ' AND c.user_id = ?' : ''} AND rc.name IN ('VCPU', 'MEMORY_MB')
          GROUP BY rc.name
         UNION ALL
         SELECT NULL, NULL, b.instance FROM build_requests b
          WHERE b.project_id = ?${byUser ? ' AND b.user_id = ?' : ''}
            AND NOT EXISTS (SELECT 1 FROM allocations a WHERE a.consumer_id = b.instance_uuid)`,
        [...params, ...params],
      ),
    ]);
    const usage: InstanceUsage = { instances: count(instances), cores: 0, ram: 0 };
    for (const row of rows) {
      if (row.build !== null) {
        const flavor = (
          JSON.parse(row.build) as { flavor?: { vcpus?: number; memory_mb?: number } }
        ).flavor;
        usage.cores += flavor?.vcpus ?? 0;
        usage.ram += flavor?.memory_mb ?? 0;
      } else if (row.name === 'VCPU') {
        usage.cores += Number(row.used);
      } else if (row.name === 'MEMORY_MB') {
        usage.ram += Number(row.used);
      }
    }
    return usage;
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

type CountRows = Array<{ n: number | string }>;

function count(rows: unknown): number {
  return Number((rows as CountRows)[0]?.n ?? 0);
}
