import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { OverQuota, QuotaService } from '@nova/quota';
import { RulesNotSupported, ServerGroupNotFound } from './server-group-errors';
import { ServerGroupRepository, type MemberScope } from './server-group.repository';
import type { NewServerGroup, ServerGroup } from './server-group';

export interface ServerGroupListOptions {
  /**
   * Every project's groups: the caller passed the all_projects policy. As in
   * Nova, only admins see other projects' groups even then.
   */
  readonly allProjects: boolean;
  readonly limit: number;
  readonly offset: number;
}

const TOO_MANY_GROUPS = 'Quota exceeded, too many server groups.';

/**
 * Server groups (Nova's InstanceGroup). A non-admin only ever sees their own
 * project's groups; another project's group is "not found". API reads show the
 * members whose instance still exists; the scheduler and conductor calls see
 * every membership row. Policies are checked by the API before calls get here.
 */
@Injectable()
export class ServerGroupService {
  constructor(
    private readonly repo: ServerGroupRepository,
    private readonly quota: QuotaService,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  /**
   * The caller's project's groups, or (admins asking for all projects)
   * everyone's; members are live instances.
   */
  list(ctx: RequestContext, options: ServerGroupListOptions): Promise<ServerGroup[]> {
    return this.repo.list(
      {
        ...(options.allProjects && ctx.isAdmin ? {} : { projectId: ctx.projectId ?? '' }),
        limit: options.limit,
        offset: options.offset,
      },
      'live',
    );
  }

  /** One group for the API (members are live instances). */
  get(ctx: RequestContext, uuid: string): Promise<ServerGroup> {
    return this.find(ctx, uuid, 'live');
  }

  /**
   * One group with every member, for scheduler hints and moves. With a user's
   * context another project's group is not found, as in the API.
   */
  getByUuid(ctx: RequestContext, uuid: string): Promise<ServerGroup> {
    return this.find(ctx, uuid, 'all');
  }

  /**
   * Create a group in the caller's project: server_groups quota first (Nova's
   * order), then the 2.64 rule check, then the insert, then (with
   * `[quota] recheck_quota`) a recheck that undoes the insert if concurrent
   * requests went over the limit together.
   */
  async create(ctx: RequestContext, input: NewServerGroup): Promise<ServerGroup> {
    const projectId = ctx.projectId ?? '';
    const userId = ctx.userId ?? '';
    await this.quota.checkServerGroups(projectId, userId);
    if (input.policy !== 'anti-affinity' && Object.keys(input.rules).length > 0) {
      throw new RulesNotSupported();
    }
    const group = await this.repo.create({
      uuid: randomUUID(),
      name: input.name,
      projectId: ctx.projectId,
      userId: ctx.userId,
      policy: input.policy,
      rules: input.rules,
    });
    if (this.config.quota.recheck_quota && this.quota.enforced) {
      const limit = (await this.quota.userLimits(projectId, userId)).server_groups;
      const used = (await this.quota.projectUsage(projectId)).server_groups;
      if (limit >= 0 && used > limit) {
        await this.repo.delete(group.id);
        throw new OverQuota(TOO_MANY_GROUPS);
      }
    }
    return group;
  }

  /** Delete a group found with get/getByUuid (a concurrent delete makes it 404). */
  async delete(group: ServerGroup): Promise<void> {
    if (!(await this.repo.delete(group.id))) {
      throw new ServerGroupNotFound(group.uuid);
    }
  }

  /**
   * Make instances members of a group (conductor, at build time), within the
   * server_group_members quota of the group's project. Instances that already
   * are members are left alone. Returns the uuids this call added.
   */
  async addMembers(groupUuid: string, instanceUuids: readonly string[]): Promise<string[]> {
    const group = await this.repo.findByUuid(groupUuid, 'all');
    if (!group) {
      throw new ServerGroupNotFound(groupUuid);
    }
    const current = new Set(group.members);
    const fresh = [...new Set(instanceUuids)].filter((u) => !current.has(u));
    if (fresh.length === 0) {
      return [];
    }
    const projectId = group.projectId ?? '';
    await this.quota.checkServerGroupMembers(projectId, groupUuid, fresh.length);
    const added = await this.repo.addMembers(group.id, fresh);
    if (this.config.quota.recheck_quota) {
      try {
        await this.quota.checkServerGroupMembers(projectId, groupUuid, 0);
      } catch (err) {
        await this.repo.removeMembers(group.id, added);
        throw err;
      }
    }
    return added;
  }

  /** Take an instance out of every group it is in (when it is deleted). Returns how many. */
  removeMember(instanceUuid: string): Promise<number> {
    return this.repo.removeMemberEverywhere(instanceUuid);
  }

  /** The groups an instance belongs to, with every member (server show's server_groups, 2.71). */
  groupsOfInstance(instanceUuid: string): Promise<ServerGroup[]> {
    return this.repo.findByMember(instanceUuid);
  }

  private async find(ctx: RequestContext, uuid: string, members: MemberScope) {
    const group = await this.repo.findByUuid(
      uuid,
      members,
      ctx.isAdmin ? undefined : (ctx.projectId ?? ''),
    );
    if (!group) {
      throw new ServerGroupNotFound(uuid);
    }
    return group;
  }
}
