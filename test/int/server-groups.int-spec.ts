import { randomUUID } from 'node:crypto';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InstanceMappingRepository } from '@nova/api-db';
import { adminContext, type RequestContext } from '@nova/common';
import { ConfigModule } from '@nova/config';
import { QuotaService } from '@nova/quota';
import { ServerGroupService, ServerGroupsModule } from '@nova/server-groups';
import { testConfig } from '../support/config';
import { TestDeployment, type Backend } from '../support/deployment';

const userCtx = (projectId: string): RequestContext => ({
  ...adminContext(),
  userId: `${projectId}-user`,
  projectId,
  roles: ['member'],
  isAdmin: false,
});

/**
 * What the scheduler and conductor use from libs/server-groups, straight
 * against the API database: getByUuid, addMembers (with the
 * server_group_members quota), removeMember, groupsOfInstance.
 */
describe.each<Backend>(['mariadb', 'sqlite'])('server groups library (%s)', (backend) => {
  let d: TestDeployment;
  let app: INestApplicationContext;
  let groups: ServerGroupService;
  let quota: QuotaService;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend, cells: [] });
    @Module({ imports: [ConfigModule.forRoot(testConfig(d.sections)), ServerGroupsModule] })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    groups = app.get(ServerGroupService);
    quota = app.get(QuotaService);
  });

  afterAll(async () => {
    await app.close();
    await d.cleanup();
  });

  const newGroup = (projectId: string, policy: 'affinity' | 'anti-affinity' = 'anti-affinity') =>
    groups.create(userCtx(projectId), { name: `g-${projectId}`, policy, rules: {} });

  describe('getByUuid', () => {
    it('returns the group with policy, rules and every member (deleted instances too)', async () => {
      const created = await groups.create(userCtx('p-get'), {
        name: 'spread',
        policy: 'anti-affinity',
        rules: { max_server_per_host: 2 },
      });
      const [a, b] = [randomUUID(), randomUUID()];
      await app.get(InstanceMappingRepository).create({
        instance_uuid: a,
        cell_id: null,
        project_id: 'p-get',
        user_id: null,
        queued_for_delete: true,
      });
      await groups.addMembers(created.uuid, [a, b]);
      const group = await groups.getByUuid(adminContext(), created.uuid);
      expect(group).toEqual({
        id: created.id,
        uuid: created.uuid,
        name: 'spread',
        projectId: 'p-get',
        userId: 'p-get-user',
        policy: 'anti-affinity',
        rules: { max_server_per_host: 2 },
        members: [a, b],
      });
      // The API's view of the same group hides members whose instance is gone.
      expect((await groups.get(adminContext(), created.uuid)).members).toEqual([]);
    });

    it("finds a group for its own project and admins, not for another project's user", async () => {
      const { uuid } = await newGroup('p-own');
      expect((await groups.getByUuid(userCtx('p-own'), uuid)).uuid).toBe(uuid);
      await expect(groups.getByUuid(userCtx('p-else'), uuid)).rejects.toMatchObject({
        code: 404,
        message: `Instance group ${uuid} could not be found.`,
      });
      await expect(groups.getByUuid(adminContext(), randomUUID())).rejects.toMatchObject({
        code: 404,
      });
    });
  });

  describe('addMembers', () => {
    it('adds new members once and returns the ones it added', async () => {
      const { uuid } = await newGroup('p-add');
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      expect(await groups.addMembers(uuid, [a, b, a])).toEqual([a, b]);
      expect(await groups.addMembers(uuid, [b, c])).toEqual([c]);
      expect(await groups.addMembers(uuid, [])).toEqual([]);
      expect((await groups.getByUuid(adminContext(), uuid)).members).toEqual([a, b, c]);
    });

    it('is 404 for an unknown group', async () => {
      await expect(groups.addMembers(randomUUID(), [randomUUID()])).rejects.toMatchObject({
        code: 404,
      });
    });

    it("enforces the server_group_members quota of the group's project", async () => {
      await quota.setProjectLimits('p-members', { server_group_members: 2 });
      const { uuid } = await newGroup('p-members');
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      await expect(groups.addMembers(uuid, [a, b, c])).rejects.toMatchObject({
        code: 403,
        message: 'Quota exceeded, too many servers in group',
      });
      expect((await groups.getByUuid(adminContext(), uuid)).members).toEqual([]);
      expect(await groups.addMembers(uuid, [a, b])).toEqual([a, b]);
      // Members already in the group do not count again.
      expect(await groups.addMembers(uuid, [a])).toEqual([]);
      await expect(groups.addMembers(uuid, [c])).rejects.toMatchObject({ code: 403 });
      // The limit is per group: another group of the project has its own room.
      const other = await newGroup('p-members', 'affinity');
      expect(await groups.addMembers(other.uuid, [c])).toEqual([c]);
    });

    it('never lets concurrent additions end above the quota', async () => {
      await quota.setProjectLimits('p-race', { server_group_members: 3 });
      const { uuid } = await newGroup('p-race');
      const results = await Promise.allSettled(
        [1, 2, 3, 4, 5, 6].map(() => groups.addMembers(uuid, [randomUUID()])),
      );
      const members = (await groups.getByUuid(adminContext(), uuid)).members;
      expect(members.length).toBeLessThanOrEqual(3);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(members.length);
      for (const r of results) {
        if (r.status === 'rejected') {
          expect(r.reason).toMatchObject({ code: 403 });
        }
      }
    });
  });

  describe('removeMember and groupsOfInstance', () => {
    it('finds the groups of an instance and removes it from them', async () => {
      const g1 = await newGroup('p-rm');
      const g2 = await newGroup('p-rm', 'affinity');
      const [a, b] = [randomUUID(), randomUUID()];
      await groups.addMembers(g1.uuid, [a, b]);
      await groups.addMembers(g2.uuid, [a]);
      expect((await groups.groupsOfInstance(a)).map((g) => g.uuid)).toEqual([g1.uuid, g2.uuid]);
      expect((await groups.groupsOfInstance(b)).map((g) => g.members)).toEqual([[a, b]]);
      expect(await groups.groupsOfInstance(randomUUID())).toEqual([]);
      expect(await groups.removeMember(a)).toBe(2);
      expect(await groups.groupsOfInstance(a)).toEqual([]);
      expect((await groups.getByUuid(adminContext(), g1.uuid)).members).toEqual([b]);
      expect(await groups.removeMember(a)).toBe(0);
    });

    it('deleting a group takes its members and policy rows with it', async () => {
      const g = await newGroup('p-del');
      const a = randomUUID();
      await groups.addMembers(g.uuid, [a]);
      await groups.delete(g);
      expect(await groups.groupsOfInstance(a)).toEqual([]);
      await expect(groups.delete(g)).rejects.toMatchObject({ code: 404 });
    });
  });

  describe('create quota', () => {
    it('never lets concurrent creates end above the server_groups quota', async () => {
      await quota.setProjectLimits('p-many', { server_groups: 2 });
      const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => newGroup('p-many')));
      const listed = await groups.list(userCtx('p-many'), {
        allProjects: false,
        limit: 100,
        offset: 0,
      });
      expect(listed.length).toBeLessThanOrEqual(2);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(listed.length);
    });
  });
});
