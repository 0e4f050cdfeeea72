import { Injectable } from '@nestjs/common';
import { writeTransaction } from '@nova/database';
import { ApiDatabase, ProjectUserQuota, Quota, QuotaClass } from '@nova/api-db';
import type { QuotaResource } from './quota-resources';

/** The limits set at each level: the default quota class, the project, the user. */
export interface Levels {
  readonly defaults: Overrides;
  readonly project: Overrides;
  readonly user: Overrides;
}

type Overrides = Partial<Record<QuotaResource, number>>;

/** Stored limits: quota classes, per project, per user in a project. */
@Injectable()
export class QuotaLimitsRepository {
  constructor(private readonly db: ApiDatabase) {}

  /**
   * The `default` class's, a project's and (optionally) a user's own limits in one
   * round trip: every quota check needs all three levels.
   */
  async levels(projectId: string, userId?: string): Promise<Levels> {
    return (await this.levelsAndKeyPairs(projectId, userId)).levels;
  }

  /** The limit levels and, in the same round trip, the user's keypair count (keypair creation needs both). */
  async levelsAndKeyPairs(
    projectId: string,
    userId?: string,
  ): Promise<{ levels: Levels; keyPairs: number }> {
    const ds = await this.db.get();
    const rows = await ds.query<
      Array<{ lvl: string; resource: string; hard_limit: number | string | null }>
    >(
      `SELECT 'c' AS lvl, resource, hard_limit FROM quota_classes WHERE class_name = 'default'
       UNION ALL SELECT 'p' AS lvl, resource, hard_limit FROM quotas WHERE project_id = ?
       UNION ALL SELECT 'u' AS lvl, resource, hard_limit FROM project_user_quotas WHERE project_id = ? AND user_id = ?
       UNION ALL SELECT 'n' AS lvl, 'key_pairs' AS resource, COUNT(*) AS hard_limit FROM key_pairs WHERE user_id = ?`,
      [projectId, projectId, userId ?? '', userId ?? ''],
    );
    const pick = (lvl: string) =>
      toOverrides(
        rows
          .filter((r) => r.lvl === lvl)
          .map((r) => ({
            resource: r.resource,
            hard_limit: r.hard_limit === null ? null : Number(r.hard_limit),
          })),
      );
    return {
      levels: {
        defaults: pick('c'),
        project: pick('p'),
        user: userId === undefined ? {} : pick('u'),
      },
      keyPairs: Number(rows.find((r) => r.lvl === 'n')?.hard_limit ?? 0),
    };
  }

  async classLimits(className: string): Promise<Overrides> {
    const rows = await (
      await this.db.get()
    )
      .getRepository(QuotaClass)
      .findBy({ class_name: className });
    return toOverrides(rows);
  }

  async projectLimits(projectId: string): Promise<Overrides> {
    return toOverrides(
      await (await this.db.get()).getRepository(Quota).findBy({ project_id: projectId }),
    );
  }

  async userLimits(projectId: string, userId: string): Promise<Overrides> {
    return toOverrides(
      await (
        await this.db.get()
      )
        .getRepository(ProjectUserQuota)
        .findBy({ project_id: projectId, user_id: userId }),
    );
  }

  /** Every per-user limit set within a project (a project limit must cover their sum). */
  async userLimitsOfProject(
    projectId: string,
  ): Promise<Array<{ userId: string; resource: string; limit: number }>> {
    const rows = await (
      await this.db.get()
    )
      .getRepository(ProjectUserQuota)
      .findBy({ project_id: projectId });
    return rows.map((r) => ({
      userId: r.user_id,
      resource: r.resource,
      limit: r.hard_limit ?? -1,
    }));
  }

  async setClassLimits(className: string, limits: Overrides): Promise<void> {
    await this.upsert(QuotaClass, { class_name: className }, limits);
  }

  async setProjectLimits(projectId: string, limits: Overrides): Promise<void> {
    await this.upsert(Quota, { project_id: projectId }, limits);
  }

  async setUserLimits(projectId: string, userId: string, limits: Overrides): Promise<void> {
    await this.upsert(ProjectUserQuota, { project_id: projectId, user_id: userId }, limits);
  }

  /** Forget a project's own limits (and its users'): back to the defaults. */
  async deleteProjectLimits(projectId: string): Promise<void> {
    const ds = await this.db.get();
    await writeTransaction(ds, async (tx) => {
      await tx.getRepository(Quota).delete({ project_id: projectId });
      await tx.getRepository(ProjectUserQuota).delete({ project_id: projectId });
    });
  }

  async deleteUserLimits(projectId: string, userId: string): Promise<void> {
    await (
      await this.db.get()
    )
      .getRepository(ProjectUserQuota)
      .delete({ project_id: projectId, user_id: userId });
  }

  private async upsert(
    entity: typeof Quota | typeof QuotaClass | typeof ProjectUserQuota,
    key: Record<string, string>,
    limits: Overrides,
  ): Promise<void> {
    const ds = await this.db.get();
    await writeTransaction(ds, async (tx) => {
      const repo = tx.getRepository<{ resource: string; hard_limit: number | null }>(entity);
      for (const [resource, limit] of Object.entries(limits)) {
        const where = { ...key, resource };
        const updated = await repo.update(where, {
          hard_limit: limit,
          updated_at: new Date(),
        } as never);
        if ((updated.affected ?? 0) === 0) {
          await repo.insert({ ...where, hard_limit: limit, created_at: new Date() } as never);
        }
      }
    });
  }
}

function toOverrides(rows: Array<{ resource: string; hard_limit: number | null }>): Overrides {
  const out: Overrides = {};
  for (const row of rows) {
    out[row.resource as QuotaResource] = row.hard_limit ?? -1;
  }
  return out;
}
