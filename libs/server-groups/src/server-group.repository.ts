import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import {
  ApiDatabase,
  InstanceGroup,
  InstanceGroupMember,
  InstanceGroupPolicy,
  InstanceMapping,
} from '@nova/api-db';
import { isDuplicateKeyError, writeTransaction } from '@nova/database';
import {
  parseRules,
  serializeRules,
  type ServerGroup,
  type ServerGroupPolicy,
  type ServerGroupRules,
} from './server-group';

/**
 * Which members to load: every membership row, or only members whose instance
 * still exists (an instance mapping not queued for delete; an instance still
 * waiting for a cell has a mapping too).
 */
export type MemberScope = 'all' | 'live';

export interface ServerGroupListQuery {
  /** Only this project's groups; undefined lists every project's. */
  readonly projectId?: string;
  readonly limit: number;
  readonly offset: number;
}

export interface NewServerGroupRow {
  readonly uuid: string;
  readonly name: string;
  readonly projectId: string | null;
  readonly userId: string | null;
  readonly policy: ServerGroupPolicy;
  readonly rules: ServerGroupRules;
}

/** instance_groups with their policy and member rows (API database). */
@Injectable()
export class ServerGroupRepository {
  constructor(private readonly db: ApiDatabase) {}

  /** Groups in creation order (by id), one page of them. */
  /** A page of groups, from the read replica when there is one (it may lag). */
  list(query: ServerGroupListQuery, members: MemberScope): Promise<ServerGroup[]> {
    return this.db.read((ds) => this.page(ds, query, members));
  }

  private async page(
    ds: DataSource,
    query: ServerGroupListQuery,
    members: MemberScope,
  ): Promise<ServerGroup[]> {
    const qb = ds.getRepository(InstanceGroup).createQueryBuilder('g');
    if (query.projectId !== undefined) {
      qb.where('g.project_id = :project', { project: query.projectId });
    }
    qb.orderBy('g.id', 'ASC').offset(query.offset).limit(query.limit);
    return this.hydrate(ds, await qb.getMany(), members);
  }

  /** The group with this uuid, optionally only if it belongs to `projectId`. */
  async findByUuid(
    uuid: string,
    members: MemberScope,
    projectId?: string,
  ): Promise<ServerGroup | null> {
    const ds = await this.db.get();
    const row = await ds
      .getRepository(InstanceGroup)
      .findOneBy(projectId === undefined ? { uuid } : { uuid, project_id: projectId });
    return row ? ((await this.hydrate(ds, [row], members))[0] ?? null) : null;
  }

  /** Groups that list the instance as a member (in practice at most one). */
  async findByMember(instanceUuid: string): Promise<ServerGroup[]> {
    const ds = await this.db.get();
    const rows = await ds
      .getRepository(InstanceGroup)
      .createQueryBuilder('g')
      .where(
        'g.id IN (SELECT m.group_id FROM instance_group_member m WHERE m.instance_uuid = :uuid)',
        { uuid: instanceUuid },
      )
      .orderBy('g.id', 'ASC')
      .getMany();
    return this.hydrate(ds, rows, 'all');
  }

  /** Insert the group and its policy row together. */
  async create(fields: NewServerGroupRow): Promise<ServerGroup> {
    const ds = await this.db.get();
    const id = await writeTransaction(ds, async (tx: EntityManager) => {
      const group = await tx.getRepository(InstanceGroup).save(
        tx.getRepository(InstanceGroup).create({
          uuid: fields.uuid,
          name: fields.name,
          project_id: fields.projectId,
          user_id: fields.userId,
        }),
      );
      await tx.getRepository(InstanceGroupPolicy).save(
        tx.getRepository(InstanceGroupPolicy).create({
          policy: fields.policy,
          rules: serializeRules(fields.rules),
          group_id: group.id,
        }),
      );
      return group.id;
    });
    return {
      id,
      uuid: fields.uuid,
      name: fields.name,
      projectId: fields.projectId,
      userId: fields.userId,
      policy: fields.policy,
      rules: parseRules(serializeRules(fields.rules)),
      members: [],
    };
  }

  /** Delete a group with its policies and members; false when it was already gone. */
  async delete(groupId: number): Promise<boolean> {
    const ds = await this.db.get();
    return writeTransaction(ds, async (tx) => {
      await tx.getRepository(InstanceGroupMember).delete({ group_id: groupId });
      await tx.getRepository(InstanceGroupPolicy).delete({ group_id: groupId });
      const result = await tx.getRepository(InstanceGroup).delete({ id: groupId });
      return (result.affected ?? 0) > 0;
    });
  }

  /** Add members that are not members yet; returns the ones this call added. */
  async addMembers(groupId: number, instanceUuids: readonly string[]): Promise<string[]> {
    const repo = (await this.db.get()).getRepository(InstanceGroupMember);
    const wanted = [...new Set(instanceUuids)];
    if (wanted.length === 0) {
      return [];
    }
    const existing = new Set(
      (
        await repo
          .createQueryBuilder('m')
          .select('m.instance_uuid', 'uuid')
          .where('m.group_id = :groupId', { groupId })
          .andWhere('m.instance_uuid IN (:...uuids)', { uuids: wanted })
          .getRawMany<{ uuid: string }>()
      ).map((r) => r.uuid),
    );
    const added: string[] = [];
    for (const uuid of wanted.filter((u) => !existing.has(u))) {
      try {
        await repo.insert({ group_id: groupId, instance_uuid: uuid, created_at: new Date() });
        added.push(uuid);
      } catch (err) {
        // Another request added it at the same moment: it is a member either way.
        if (!isDuplicateKeyError(err)) {
          throw err;
        }
      }
    }
    return added;
  }

  async removeMembers(groupId: number, instanceUuids: readonly string[]): Promise<void> {
    if (instanceUuids.length === 0) {
      return;
    }
    await (
      await this.db.get()
    )
      .getRepository(InstanceGroupMember)
      .createQueryBuilder()
      .delete()
      .where('group_id = :groupId', { groupId })
      .andWhere('instance_uuid IN (:...uuids)', { uuids: [...instanceUuids] })
      .execute();
  }

  /** Remove the instance from every group; returns how many memberships went. */
  async removeMemberEverywhere(instanceUuid: string): Promise<number> {
    const result = await (
      await this.db.get()
    )
      .getRepository(InstanceGroupMember)
      .delete({ instance_uuid: instanceUuid });
    return result.affected ?? 0;
  }

  /** Attach the policy, rules and members of each group (two queries for the whole batch). */
  private async hydrate(
    ds: DataSource,
    rows: InstanceGroup[],
    scope: MemberScope,
  ): Promise<ServerGroup[]> {
    if (rows.length === 0) {
      return [];
    }
    const ids = rows.map((r) => r.id);
    const policies = await ds
      .getRepository(InstanceGroupPolicy)
      .createQueryBuilder('p')
      .where('p.group_id IN (:...ids)', { ids })
      .orderBy('p.id', 'ASC')
      .getMany();
    const members = ds
      .getRepository(InstanceGroupMember)
      .createQueryBuilder('m')
      .select('m.group_id', 'group_id')
      .addSelect('m.instance_uuid', 'instance_uuid')
      .where('m.group_id IN (:...ids)', { ids })
      .orderBy('m.id', 'ASC');
    if (scope === 'live') {
      members.innerJoin(
        InstanceMapping,
        'im',
        'im.instance_uuid = m.instance_uuid AND im.queued_for_delete = 0',
      );
    }
    const memberRows = await members.getRawMany<{
      group_id: number | string;
      instance_uuid: string;
    }>();
    const policyOf = new Map<number, InstanceGroupPolicy>();
    for (const p of policies) {
      if (!policyOf.has(p.group_id)) {
        policyOf.set(p.group_id, p);
      }
    }
    const membersOf = new Map<number, string[]>();
    for (const m of memberRows) {
      const list = membersOf.get(Number(m.group_id)) ?? [];
      list.push(m.instance_uuid);
      membersOf.set(Number(m.group_id), list);
    }
    return rows.map((r) => ({
      id: r.id,
      uuid: r.uuid,
      name: r.name,
      projectId: r.project_id,
      userId: r.user_id,
      policy: policyOf.get(r.id)?.policy ?? null,
      rules: parseRules(policyOf.get(r.id)?.rules ?? null),
      members: membersOf.get(r.id) ?? [],
    }));
  }
}
