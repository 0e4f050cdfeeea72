import { randomUUID } from 'node:crypto';
import { InstanceMappingRepository } from '@nova/api-db';
import { QuotaService } from '@nova/quota';
import { ServerGroupService } from '@nova/server-groups';
import { ApiClient, type RequestOptions } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** /os-server-groups over HTTP at every microversion it changes in (MariaDB + Redis). */
describe('server groups API', () => {
  let d: TestDeployment;
  let api: ApiClient;
  const url = '/v2.1/os-server-groups';
  const create = (group: Record<string, unknown>, options: RequestOptions = {}) =>
    api.post(url, { server_group: group }, { as: 'member', ...options });
  const ids = (body: { server_groups: Array<{ id: string }> }) =>
    body.server_groups.map((g) => g.id);

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: [] });
    api = await ApiClient.start(d.sections);
    // The demo project makes many groups here; the quota tests use projects of their own.
    await api.app.get(QuotaService).setProjectLimits('demo', { server_groups: -1 });
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  describe('create', () => {
    it('answers 200 with the 2.1 view (sample 45)', async () => {
      const res = await create({ name: 'sample-sg', policies: ['anti-affinity'] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        server_group: {
          id: expect.stringMatching(UUID),
          name: 'sample-sg',
          policies: ['anti-affinity'],
          metadata: {},
          members: [],
        },
      });
      expect(Object.keys(res.body.server_group)).toEqual([
        'id',
        'name',
        'policies',
        'metadata',
        'members',
      ]);
    });

    it('adds project_id and user_id from 2.13', async () => {
      expect(
        (await create({ name: 'g', policies: ['affinity'] }, { version: '2.12' })).body
          .server_group,
      ).not.toHaveProperty('project_id');
      const res = await create({ name: 'g213', policies: ['affinity'] }, { version: '2.13' });
      expect(res.body.server_group).toEqual({
        id: expect.stringMatching(UUID),
        name: 'g213',
        policies: ['affinity'],
        metadata: {},
        members: [],
        project_id: 'demo',
        user_id: 'demo',
      });
    });

    it('takes soft policies from 2.15 only', async () => {
      for (const policy of ['soft-affinity', 'soft-anti-affinity']) {
        const before = await create({ name: 's', policies: [policy] }, { version: '2.14' });
        expect(before.status).toBe(400);
        expect(before.body.badRequest.message).toContain('is not one of');
        const res = await create({ name: `s-${policy}`, policies: [policy] }, { version: '2.15' });
        expect(res.status).toBe(200);
        expect(res.body.server_group.policies).toEqual([policy]);
      }
    });

    it('wants exactly one known policy before 2.64', async () => {
      for (const policies of [[], ['affinity', 'anti-affinity'], ['affinity', 'affinity'], ['x']]) {
        expect((await create({ name: 'p', policies }, { version: '2.63' })).status).toBe(400);
      }
      expect((await create({ name: 'p', policy: 'affinity' }, { version: '2.63' })).status).toBe(
        400,
      );
    });

    it('takes policy and rules from 2.64 and shows them instead of policies/metadata (sample 46)', async () => {
      const res = await create(
        { name: 'sample-sg-latest', policy: 'soft-affinity' },
        {
          version: '2.93',
        },
      );
      expect(res.status).toBe(200);
      expect(res.body.server_group).toEqual({
        id: expect.stringMatching(UUID),
        name: 'sample-sg-latest',
        policy: 'soft-affinity',
        rules: {},
        members: [],
        project_id: 'demo',
        user_id: 'demo',
      });
      expect(Object.keys(res.body.server_group)).toEqual([
        'id',
        'name',
        'policy',
        'rules',
        'members',
        'project_id',
        'user_id',
      ]);
      const ruled = await create(
        { name: 'spread', policy: 'anti-affinity', rules: { max_server_per_host: '3' } },
        { version: '2.64' },
      );
      expect(ruled.body.server_group).toMatchObject({
        policy: 'anti-affinity',
        rules: { max_server_per_host: 3 },
      });
      const shown = await api.get(`${url}/${ruled.body.server_group.id as string}`, {
        version: '2.64',
      });
      expect(shown.body.server_group.rules).toEqual({ max_server_per_host: 3 });
    });

    it('refuses policies at 2.64, a missing policy, and rules outside anti-affinity', async () => {
      expect(
        (await create({ name: 'x', policies: ['affinity'] }, { version: '2.64' })).status,
      ).toBe(400);
      expect((await create({ name: 'x' }, { version: '2.64' })).body).toEqual({
        badRequest: {
          code: 400,
          message:
            "Invalid input for field/attribute server_group. Value: {'name': 'x'}. 'policy' is a required property",
        },
      });
      expect(
        (
          await create(
            { name: 'x', policy: 'affinity', rules: { max_server_per_host: 2 } },
            { version: '2.64' },
          )
        ).body,
      ).toEqual({
        badRequest: { code: 400, message: 'Only anti-affinity policy supports rules.' },
      });
      // Empty rules are fine with any policy.
      expect(
        (await create({ name: 'x', policy: 'affinity', rules: {} }, { version: '2.64' })).status,
      ).toBe(200);
    });

    it.each([
      ['2.1', { policies: ['affinity'] }, ['policies', 'metadata', 'members']],
      [
        '2.13',
        { policies: ['affinity'] },
        ['policies', 'metadata', 'members', 'project_id', 'user_id'],
      ],
      [
        '2.15',
        { policies: ['soft-affinity'] },
        ['policies', 'metadata', 'members', 'project_id', 'user_id'],
      ],
      [
        '2.64',
        { policy: 'soft-affinity' },
        ['policy', 'rules', 'members', 'project_id', 'user_id'],
      ],
      [
        '2.75',
        { policy: 'anti-affinity' },
        ['policy', 'rules', 'members', 'project_id', 'user_id'],
      ],
    ])("creates at %s with that version's body and view", async (version, body, keys) => {
      const res = await create({ name: `v${version}`, ...body }, { version });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.server_group)).toEqual(['id', 'name', ...keys]);
      const shown = await api.get(`${url}/${res.body.server_group.id as string}`, { version });
      expect(shown.body).toEqual(res.body);
    });

    it('validates the name', async () => {
      for (const name of ['', ' lead', 'trail ', 'x'.repeat(256), 5, null]) {
        expect((await create({ name, policies: ['affinity'] })).status).toBe(400);
      }
      expect((await create({ name: ' lead', policies: ['affinity'] })).body).toEqual({
        badRequest: {
          code: 400,
          message:
            "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
        },
      });
      expect((await create({ name: null, policies: ['affinity'] })).body.badRequest.message).toBe(
        "Invalid input for field/attribute name. Value: None. None is not of type 'string'",
      );
      expect((await create({ name: 'x'.repeat(255), policies: ['affinity'] })).status).toBe(200);
    });

    it('works with the project id in the URL and refuses another project there', async () => {
      const body = { server_group: { name: 'in-url', policies: ['affinity'] } };
      expect((await api.post('/v2.1/demo/os-server-groups', body, { as: 'member' })).status).toBe(
        200,
      );
      expect((await api.post('/v2.1/other/os-server-groups', body, { as: 'member' })).status).toBe(
        400,
      );
    });
  });

  describe('show', () => {
    let id: string;

    beforeAll(async () => {
      id = (
        await create(
          { name: 'to-show', policy: 'anti-affinity', rules: { max_server_per_host: 2 } },
          {
            version: '2.64',
          },
        )
      ).body.server_group.id;
    });

    it.each([
      ['2.1', { policies: ['anti-affinity'], metadata: {} }],
      ['2.13', { policies: ['anti-affinity'], metadata: {}, project_id: 'demo', user_id: 'demo' }],
      ['2.15', { policies: ['anti-affinity'], metadata: {}, project_id: 'demo', user_id: 'demo' }],
      [
        '2.64',
        {
          policy: 'anti-affinity',
          rules: { max_server_per_host: 2 },
          project_id: 'demo',
          user_id: 'demo',
        },
      ],
      [
        '2.75',
        {
          policy: 'anti-affinity',
          rules: { max_server_per_host: 2 },
          project_id: 'demo',
          user_id: 'demo',
        },
      ],
    ])('at %s', async (version, fields) => {
      const res = await api.get(`${url}/${id}`, { as: 'reader', version });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ server_group: { id, name: 'to-show', members: [], ...fields } });
    });

    it('is 404 for an unknown group and for another project (admin sees it)', async () => {
      expect((await api.get(`${url}/${randomUUID()}`)).body).toEqual({
        itemNotFound: {
          code: 404,
          message: expect.stringMatching(/^Instance group [0-9a-f-]{36} could not be found\.$/),
        },
      });
      expect((await api.get(`${url}/${id}`, { as: 'other' })).status).toBe(404);
      expect((await api.get(`${url}/${id}`, { as: 'admin' })).status).toBe(200);
    });

    it('lists only members whose instance still exists', async () => {
      const groups = api.app.get(ServerGroupService);
      const mappings = api.app.get(InstanceMappingRepository);
      const [live, building, deleted, unmapped] = [1, 2, 3, 4].map(() => randomUUID());
      for (const uuid of [live, building, deleted]) {
        await mappings.create({
          instance_uuid: uuid,
          cell_id: null,
          project_id: 'demo',
          user_id: 'demo',
          queued_for_delete: uuid === deleted,
        });
      }
      await groups.addMembers(id, [live, building, deleted, unmapped]);
      const res = await api.get(`${url}/${id}`, { as: 'member' });
      expect(res.body.server_group.members).toEqual([live, building]);
      const listed = await api.get(url, { as: 'member' });
      expect(listed.body.server_groups.find((g: { id: string }) => g.id === id).members).toEqual([
        live,
        building,
      ]);
    });
  });

  describe('list', () => {
    const mine: string[] = [];
    let theirs: string;

    beforeAll(async () => {
      for (const name of ['l1', 'l2', 'l3']) {
        mine.push(
          (await create({ name, policies: ['affinity'] }, { as: { token: 'lister:listing' } })).body
            .server_group.id,
        );
      }
      theirs = (await create({ name: 'l-other', policies: ['affinity'] }, { as: 'other' })).body
        .server_group.id;
    });

    const as = { token: 'lister:listing' } as const;

    it("lists the caller's project's groups in creation order (sample 47 shape at latest)", async () => {
      const res = await api.get(url, { as, version: '2.93' });
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual(mine);
      expect(res.body.server_groups[0]).toEqual({
        id: mine[0],
        name: 'l1',
        policy: 'affinity',
        rules: {},
        members: [],
        project_id: 'listing',
        user_id: 'lister',
      });
    });

    it.each([
      ['2.1', ['id', 'name', 'policies', 'metadata', 'members']],
      ['2.13', ['id', 'name', 'policies', 'metadata', 'members', 'project_id', 'user_id']],
      ['2.15', ['id', 'name', 'policies', 'metadata', 'members', 'project_id', 'user_id']],
      ['2.64', ['id', 'name', 'policy', 'rules', 'members', 'project_id', 'user_id']],
      ['2.75', ['id', 'name', 'policy', 'rules', 'members', 'project_id', 'user_id']],
    ])('has the fields of %s', async (version, keys) => {
      const res = await api.get(url, { as, version });
      expect(res.body.server_groups.map((g: object) => Object.keys(g))).toEqual(
        mine.map(() => keys),
      );
    });

    it('pages with limit and offset (limit 0 means max_limit)', async () => {
      expect(ids((await api.get(`${url}?limit=2`, { as })).body)).toEqual(mine.slice(0, 2));
      expect(ids((await api.get(`${url}?limit=2&offset=2`, { as })).body)).toEqual(mine.slice(2));
      expect(ids((await api.get(`${url}?offset=1`, { as })).body)).toEqual(mine.slice(1));
      expect(ids((await api.get(`${url}?offset=9`, { as })).body)).toEqual([]);
      expect(ids((await api.get(`${url}?limit=0`, { as })).body)).toEqual(mine);
      expect(ids((await api.get(`${url}?limit=5&limit=1`, { as })).body)).toEqual([mine[0]]);
    });

    it('refuses limits and offsets that are not non-negative integers', async () => {
      expect((await api.get(`${url}?limit=-1`, { as })).body).toEqual({
        badRequest: {
          code: 400,
          message:
            "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'",
        },
      });
      for (const q of ['limit=x', 'offset=1.5', 'offset=', 'limit=1&limit=y']) {
        expect((await api.get(`${url}?${q}`, { as })).status).toBe(400);
      }
    });

    it('shows every project with all_projects to admins, and ignores it for others', async () => {
      const all = ids((await api.get(`${url}?all_projects=True`, { as: 'admin' })).body);
      expect(all).toEqual(expect.arrayContaining([...mine, theirs]));
      // Any value counts, as in Nova: the parameter only has to be there.
      expect(ids((await api.get(`${url}?all_projects=0`, { as: 'admin' })).body)).toEqual(all);
      expect(ids((await api.get(url, { as: 'admin' })).body)).not.toContain(theirs);
      expect(ids((await api.get(`${url}?all_projects=1`, { as })).body)).toEqual(mine);
      const paged = await api.get(`${url}?all_projects=1&limit=2&offset=1`, { as: 'admin' });
      expect(ids(paged.body)).toEqual(all.slice(1, 3));
    });

    it('ignores unknown query parameters before 2.75 and refuses them from 2.75', async () => {
      expect((await api.get(`${url}?colour=red`, { as, version: '2.74' })).status).toBe(200);
      expect((await api.get(`${url}?colour=red`, { as, version: '2.75' })).body).toEqual({
        badRequest: {
          code: 400,
          message:
            "Invalid input for query parameters colour. Value: red. Additional properties are not allowed ('colour' was unexpected)",
        },
      });
      expect(
        (await api.get(`${url}?all_projects=1&limit=1&offset=0`, { as, version: '2.75' })).status,
      ).toBe(200);
    });
  });

  describe('delete', () => {
    it('deletes (204), after which the group is gone', async () => {
      const id = (await create({ name: 'doomed', policies: ['affinity'] })).body.server_group.id;
      const res = await api.delete(`${url}/${id}`, { as: 'member' });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect((await api.get(`${url}/${id}`)).status).toBe(404);
      expect((await api.delete(`${url}/${id}`, { as: 'member' })).status).toBe(404);
    });

    it.each(['2.1', '2.13', '2.15', '2.64', '2.75'])('works at %s', async (version) => {
      const body =
        version === '2.64' || version === '2.75'
          ? { name: 'd', policy: 'affinity' }
          : { name: 'd', policies: ['affinity'] };
      const id = (await create(body, { version })).body.server_group.id;
      expect((await api.delete(`${url}/${id}`, { as: 'member', version })).status).toBe(204);
    });

    it("is 404 for another project's group, and admins may delete any", async () => {
      const id = (await create({ name: 'kept', policies: ['affinity'] })).body.server_group.id;
      expect((await api.delete(`${url}/${id}`, { as: 'other' })).status).toBe(404);
      expect((await api.delete(`${url}/${id}`, { as: 'admin' })).status).toBe(204);
    });
  });

  describe('quota', () => {
    const as = { token: 'q-user:q-project' } as const;

    it('refuses a group over the server_groups quota, counted per project', async () => {
      await api.app.get(QuotaService).setProjectLimits('q-project', { server_groups: 2 });
      const made: string[] = [];
      for (const name of ['q1', 'q2']) {
        const res = await create({ name, policies: ['affinity'] }, { as });
        expect(res.status).toBe(200);
        made.push(res.body.server_group.id);
      }
      // Another user of the same project counts against the same quota.
      expect(
        await create(
          { name: 'q3', policies: ['affinity'] },
          { as: { token: 'q-other:q-project' } },
        ),
      ).toMatchObject({
        status: 403,
        body: { forbidden: { code: 403, message: 'Quota exceeded, too many server groups.' } },
      });
      expect(ids((await api.get(url, { as })).body)).toEqual(made);
      // Another project is not affected; deleting frees a slot.
      expect((await create({ name: 'q-free', policies: ['affinity'] })).status).toBe(200);
      expect((await api.delete(`${url}/${made[0]}`, { as })).status).toBe(204);
      expect((await create({ name: 'q4', policies: ['affinity'] }, { as })).status).toBe(200);
    });

    it('unlimited (-1) never refuses, and 0 refuses the first group', async () => {
      const quota = api.app.get(QuotaService);
      await quota.setProjectLimits('q-zero', { server_groups: 0 });
      expect(
        (await create({ name: 'z', policies: ['affinity'] }, { as: { token: 'z:q-zero' } })).status,
      ).toBe(403);
      await quota.setProjectLimits('q-zero', { server_groups: -1 });
      expect(
        (await create({ name: 'z', policies: ['affinity'] }, { as: { token: 'z:q-zero' } })).status,
      ).toBe(200);
    });
  });
});
