import { OverQuota, QuotaService } from '@nova/quota';
import { ApiClient, type Persona } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';
import { QuotaUsageSeeder } from '../../support/quota-usage';

/**
 * GET /limits, /os-quota-sets and /os-quota-class-sets over HTTP (MariaDB +
 * Redis), with usage written as real rows into the API database.
 */

// The [quota] defaults of the deployment Nova's samples 38 and 39 were taken from.
const SAMPLE_QUOTA = {
  instances: '2000',
  cores: '4000',
  ram: '2000000',
  key_pairs: '1000',
  server_groups: '100',
};

/** Sample 38 (GET /limits at 2.1, demo with 2 instances of 1 vCPU / 512 MB). */
const LIMITS_2_1 = {
  limits: {
    rate: [],
    absolute: {
      maxTotalInstances: 2000,
      maxTotalCores: 4000,
      maxTotalRAMSize: 2000000,
      maxServerMeta: 128,
      maxImageMeta: 128,
      maxPersonality: 5,
      maxPersonalitySize: 10240,
      maxTotalKeypairs: 1000,
      maxServerGroups: 100,
      maxServerGroupMembers: 10,
      maxTotalFloatingIps: -1,
      maxSecurityGroups: -1,
      maxSecurityGroupRules: -1,
      totalRAMUsed: 1024,
      totalCoresUsed: 2,
      totalInstancesUsed: 2,
      totalFloatingIpsUsed: 0,
      totalSecurityGroupsUsed: 0,
      totalServerGroupsUsed: 0,
    },
  },
};

/** Sample 39 (the same at 2.93). */
const LIMITS_LATEST = {
  limits: {
    rate: [],
    absolute: {
      maxTotalInstances: 2000,
      maxTotalCores: 4000,
      maxTotalRAMSize: 2000000,
      maxServerMeta: 128,
      maxTotalKeypairs: 1000,
      maxServerGroups: 100,
      maxServerGroupMembers: 10,
      totalRAMUsed: 1024,
      totalCoresUsed: 2,
      totalInstancesUsed: 2,
      totalServerGroupsUsed: 0,
    },
  },
};

const NETWORK_LIMITS = [
  'maxTotalFloatingIps',
  'maxSecurityGroups',
  'maxSecurityGroupRules',
  'totalFloatingIpsUsed',
  'totalSecurityGroupsUsed',
];
const ALL_LIMIT_KEYS = Object.keys(LIMITS_2_1.limits.absolute);
const limitKeysWithout = (...dropped: string[]) =>
  ALL_LIMIT_KEYS.filter((k) => !dropped.includes(k));

const NETWORK_QUOTAS = ['fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups'];
const INJECTED_QUOTAS = [
  'injected_file_content_bytes',
  'injected_file_path_bytes',
  'injected_files',
];
const QUOTA_KEYS_2_1 = [
  'cores',
  'fixed_ips',
  'floating_ips',
  'injected_file_content_bytes',
  'injected_file_path_bytes',
  'injected_files',
  'instances',
  'key_pairs',
  'metadata_items',
  'ram',
  'security_group_rules',
  'security_groups',
  'server_group_members',
  'server_groups',
];
const quotaKeysWithout = (...dropped: string[][]) =>
  QUOTA_KEYS_2_1.filter((k) => !dropped.flat().includes(k));

/** The [quota] defaults as a 2.1 quota set. */
const DEFAULTS_2_1 = {
  cores: 4000,
  fixed_ips: -1,
  floating_ips: -1,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  injected_files: 5,
  instances: 2000,
  key_pairs: 1000,
  metadata_items: 128,
  ram: 2000000,
  security_group_rules: -1,
  security_groups: -1,
  server_group_members: 10,
  server_groups: 100,
};

describe('limits and quotas API', () => {
  let d: TestDeployment;
  let api: ApiClient;
  let seed: QuotaUsageSeeder;
  const get = (url: string, version?: string, as: Persona = 'admin') =>
    api.get(url, { as, ...(version ? { version } : {}) });
  const put = (url: string, body: unknown, version?: string) =>
    api.put(url, body, version ? { version } : {});
  const setQuota = (project: string, quotaSet: Record<string, unknown>, query = '') =>
    put(`/v2.1/os-quota-sets/${project}${query}`, { quota_set: quotaSet });

  beforeAll(async () => {
    d = await TestDeployment.create({
      backend: 'mariadb',
      redis: true,
      cells: [],
      extra: { quota: SAMPLE_QUOTA },
    });
    api = await ApiClient.start(d.sections);
    seed = await QuotaUsageSeeder.for(api);
    // demo: the samples' two running instances, plus one being deleted (not counted).
    await seed.instance('demo', 'demo', { vcpus: 1, ramMb: 512 });
    await seed.instance('demo', 'demo', { vcpus: 1, ramMb: 512 });
    await seed.instance('demo', 'demo', { vcpus: 8, ramMb: 8192 }, { queuedForDelete: true });
    // Another project's usage never counts for demo.
    await seed.instance('other', 'other', { vcpus: 4, ramMb: 8192 });
    await seed.serverGroup('other', 'other');
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  describe('GET /limits', () => {
    it("is Nova's sample 38 at 2.1", async () => {
      const res = await get('/v2.1/limits', undefined, 'member');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(LIMITS_2_1);
      expect(Object.keys(res.body.limits.absolute)).toEqual(ALL_LIMIT_KEYS);
    });

    it("is Nova's sample 39 at 2.93 (and latest)", async () => {
      for (const version of ['2.93', 'latest']) {
        const res = await get('/v2.1/limits', version, 'member');
        expect(res.body).toEqual(LIMITS_LATEST);
        expect(Object.keys(res.body.limits.absolute)).toEqual(
          Object.keys(LIMITS_LATEST.limits.absolute),
        );
      }
    });

    it.each([
      ['2.35', ALL_LIMIT_KEYS],
      ['2.36', limitKeysWithout(...NETWORK_LIMITS)],
      ['2.38', limitKeysWithout(...NETWORK_LIMITS)],
      ['2.39', limitKeysWithout(...NETWORK_LIMITS, 'maxImageMeta')],
      ['2.50', limitKeysWithout(...NETWORK_LIMITS, 'maxImageMeta')],
      ['2.56', limitKeysWithout(...NETWORK_LIMITS, 'maxImageMeta')],
      [
        '2.57',
        limitKeysWithout(...NETWORK_LIMITS, 'maxImageMeta', 'maxPersonality', 'maxPersonalitySize'),
      ],
      [
        '2.75',
        limitKeysWithout(...NETWORK_LIMITS, 'maxImageMeta', 'maxPersonality', 'maxPersonalitySize'),
      ],
    ])('at %s has exactly its keys', async (version, keys) => {
      const res = await get('/v2.1/limits', version, 'reader');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.limits.absolute)).toEqual(keys);
      expect(res.body.limits.rate).toEqual([]);
    });

    it('answers with the project id in the URL too, and refuses a mismatching one', async () => {
      expect((await get('/v2.1/demo/limits', undefined, 'member')).body).toEqual(LIMITS_2_1);
      const res = await get('/v2.1/other/limits', undefined, 'member');
      expect(res.status).toBe(400);
    });

    it("shows another project's limits and usage to an admin with tenant_id", async () => {
      const res = await get('/v2.1/limits?tenant_id=other', '2.93');
      expect(res.status).toBe(200);
      expect(res.body.limits.absolute).toMatchObject({
        totalInstancesUsed: 1,
        totalCoresUsed: 4,
        totalRAMUsed: 8192,
        totalServerGroupsUsed: 1,
      });
      const demo = await get('/v2.1/limits?tenant_id=demo&tenant_id=other', '2.93');
      expect(demo.body.limits.absolute.totalInstancesUsed).toBe(1); // the last value wins
      const unknown = await get('/v2.1/limits?tenant_id=nobody-here');
      expect(unknown.body.limits.absolute).toMatchObject({
        maxTotalInstances: 2000,
        totalInstancesUsed: 0,
      });
    });

    it('needs limits:other_project for tenant_id, even naming the own project', async () => {
      for (const tenant of ['other', 'demo']) {
        const res = await get(`/v2.1/limits?tenant_id=${tenant}`, undefined, 'member');
        expect(res.status).toBe(403);
        expect(res.body).toEqual({
          forbidden: {
            code: 403,
            message: "Policy doesn't allow os_compute_api:limits:other_project to be performed.",
          },
        });
      }
    });

    it('ignores unknown query parameters until 2.74 and rejects them from 2.75', async () => {
      expect((await get('/v2.1/limits?colour=red', '2.74', 'member')).status).toBe(200);
      const res = await get('/v2.1/limits?colour=red', '2.75', 'member');
      expect(res.status).toBe(400);
      expect(res.body.badRequest.message).toContain(
        "Additional properties are not allowed ('colour' was unexpected)",
      );
      expect((await get('/v2.1/limits?tenant_id=demo', '2.75')).status).toBe(200);
    });
  });

  describe('usage counting', () => {
    beforeAll(async () => {
      // usage-p: u1 runs 3 instances (2 vCPU, 2048 MB), u2 one (1 vCPU, 512 MB);
      // one more is being deleted; u1 has 2 server groups and 2 keypairs, u2 one group.
      const members: string[] = [];
      for (let i = 0; i < 3; i++) {
        members.push(await seed.instance('usage-p', 'u1', { vcpus: 2, ramMb: 2048 }));
      }
      await seed.instance('usage-p', 'u2', { vcpus: 1, ramMb: 512 });
      await seed.instance('usage-p', 'u2', { vcpus: 1, ramMb: 512 }, { queuedForDelete: true });
      await seed.serverGroup('usage-p', 'u1', members);
      await seed.serverGroup('usage-p', 'u1');
      await seed.serverGroup('usage-p', 'u2');
      await seed.keyPair('u1', 'k1');
      await seed.keyPair('u1', 'k2');
    });

    it('reports the project usage in /limits', async () => {
      const res = await get('/v2.1/limits?tenant_id=usage-p');
      expect(res.body.limits.absolute).toMatchObject({
        totalInstancesUsed: 4,
        totalCoresUsed: 7,
        totalRAMUsed: 6656,
        totalServerGroupsUsed: 3,
        totalFloatingIpsUsed: 0,
        totalSecurityGroupsUsed: 0,
      });
    });

    it('reports usage per resource in os-quota-sets detail, for the project', async () => {
      const res = await get('/v2.1/os-quota-sets/usage-p/detail');
      expect(res.status).toBe(200);
      const q = res.body.quota_set;
      expect(q.id).toBe('usage-p');
      expect(q.instances).toEqual({ in_use: 4, limit: 2000, reserved: 0 });
      expect(q.cores).toEqual({ in_use: 7, limit: 4000, reserved: 0 });
      expect(q.ram).toEqual({ in_use: 6656, limit: 2000000, reserved: 0 });
      expect(q.server_groups).toEqual({ in_use: 3, limit: 100, reserved: 0 });
      // Keypairs belong to users: a project has none of its own (as in Nova).
      expect(q.key_pairs).toEqual({ in_use: 0, limit: 1000, reserved: 0 });
      expect(q.metadata_items).toEqual({ in_use: 0, limit: 128, reserved: 0 });
      expect(q.floating_ips).toEqual({ in_use: 0, limit: -1, reserved: 0 });
      expect(Object.keys(q)).toEqual(['id', ...QUOTA_KEYS_2_1]);
    });

    it('reports a user’s usage with user_id, keypairs included', async () => {
      const u1 = (await get('/v2.1/os-quota-sets/usage-p/detail?user_id=u1')).body.quota_set;
      expect(u1).toMatchObject({
        id: 'usage-p',
        instances: { in_use: 3 },
        cores: { in_use: 6 },
        ram: { in_use: 6144 },
        server_groups: { in_use: 2 },
        key_pairs: { in_use: 2 },
      });
      const u2 = (await get('/v2.1/os-quota-sets/usage-p/detail?user_id=u2')).body.quota_set;
      expect(u2).toMatchObject({
        instances: { in_use: 1 },
        cores: { in_use: 1 },
        ram: { in_use: 512 },
        server_groups: { in_use: 1 },
        key_pairs: { in_use: 0 },
      });
    });

    it('shapes detail per microversion', async () => {
      const at = async (v: string) =>
        Object.keys((await get('/v2.1/os-quota-sets/usage-p/detail', v)).body.quota_set);
      expect(await at('2.35')).toEqual(['id', ...QUOTA_KEYS_2_1]);
      expect(await at('2.36')).toEqual(['id', ...quotaKeysWithout(NETWORK_QUOTAS)]);
      expect(await at('2.56')).toEqual(['id', ...quotaKeysWithout(NETWORK_QUOTAS)]);
      expect(await at('2.57')).toEqual([
        'id',
        ...quotaKeysWithout(NETWORK_QUOTAS, INJECTED_QUOTAS),
      ]);
    });

    it('refuses limits below usage unless forced, with Nova’s message', async () => {
      const res = await setQuota('usage-p', { cores: 6 });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        badRequest: {
          code: 400,
          message:
            'Quota limit 6 for cores must be greater than or equal to already used and reserved 7.',
        },
      });
      expect((await setQuota('usage-p', { instances: '3' })).body.badRequest.message).toBe(
        'Quota limit 3 for instances must be greater than or equal to already used and reserved 4.',
      );
      // Nothing was written: the first valid value in the same body is not kept either.
      const mixed = await setQuota('usage-p', { ram: 100000, server_groups: 2 });
      expect(mixed.status).toBe(400);
      expect((await get('/v2.1/os-quota-sets/usage-p')).body.quota_set.ram).toBe(2000000);
      const forced = await setQuota('usage-p', { cores: 6, force: 'True' });
      expect(forced.status).toBe(200);
      expect(forced.body.quota_set.cores).toBe(6);
      expect((await setQuota('usage-p', { cores: 7, instances: 4, ram: -1 })).status).toBe(200);
    });

    it('checks a user’s limits against the user’s usage and the project’s limit', async () => {
      await setQuota('usage-p', { instances: 10, cores: 20, ram: 20480 });
      expect((await setQuota('usage-p', { instances: 2 }, '?user_id=u1')).body).toEqual({
        badRequest: {
          code: 400,
          message:
            'Quota limit 2 for instances must be greater than or equal to already used and reserved 3.',
        },
      });
      expect((await setQuota('usage-p', { cores: 21 }, '?user_id=u1')).body).toEqual({
        badRequest: {
          code: 400,
          message: 'Quota limit 21 for cores must be less than or equal to 20.',
        },
      });
      expect(
        (await setQuota('usage-p', { cores: -1 }, '?user_id=u1')).body.badRequest.message,
      ).toBe('Quota limit -1 for cores must be less than or equal to 20.');
      // The project's ram is unlimited? No: 20480. A user's maximum leaves out what others got.
      expect((await setQuota('usage-p', { cores: 12 }, '?user_id=u1')).status).toBe(200);
      expect((await setQuota('usage-p', { cores: 9 }, '?user_id=u2')).body.badRequest.message).toBe(
        'Quota limit 9 for cores must be less than or equal to 8.',
      );
      expect((await setQuota('usage-p', { cores: 8 }, '?user_id=u2')).status).toBe(200);
      // ...and the project may not go below the sum of its users' limits.
      expect((await setQuota('usage-p', { cores: 19 })).body.badRequest.message).toBe(
        'Quota limit 19 for cores must be greater than or equal to already used and reserved 20.',
      );
      // force skips both bounds.
      expect((await setQuota('usage-p', { cores: 30, force: true }, '?user_id=u2')).status).toBe(
        200,
      );
      const u2 = (await get('/v2.1/os-quota-sets/usage-p?user_id=u2')).body.quota_set;
      expect(u2).toMatchObject({ id: 'usage-p', cores: 30, instances: 10, ram: 20480 });
      await api.delete('/v2.1/os-quota-sets/usage-p?user_id=u2');
    });

    it('QuotaService.check names exceeded resources with Nova’s message', async () => {
      const quotas = api.app.get(QuotaService);
      // Forced: u1's own 12 cores would otherwise keep the project at 12 or more.
      expect(
        (await setQuota('usage-p', { instances: 5, cores: 8, ram: 8192, force: true })).status,
      ).toBe(200);
      // 4 + 1 <= 5 instances, 7 + 1 <= 8 cores, 6656 + 512 <= 8192 MB.
      await expect(
        quotas.check('usage-p', null, { instances: 1, cores: 1, ram: 512 }),
      ).resolves.toBeUndefined();
      await expect(quotas.check('usage-p', null, { ram: 4096 })).rejects.toThrow(
        'Quota exceeded for ram: Requested 4096, but already used 6656 of 8192 ram',
      );
      const all = quotas.check('usage-p', null, { ram: 2048, instances: 2, cores: 2 });
      await expect(all).rejects.toBeInstanceOf(OverQuota);
      await expect(all).rejects.toMatchObject({
        code: 403,
        message:
          'Quota exceeded for cores, instances, ram: Requested 2, 2, 2048, but already used 7, 4, 6656 of 8, 5, 8192 cores, instances, ram',
      });
      // The user's own limit, with the user's own usage.
      expect((await setQuota('usage-p', { instances: 1 }, '?user_id=u2')).status).toBe(200);
      await expect(quotas.check('usage-p', 'u2', { instances: 1 })).rejects.toThrow(
        'Quota exceeded for instances: Requested 1, but already used 1 of 1 instances',
      );
      await expect(quotas.check('usage-p', 'u1', { instances: 1 })).resolves.toBeUndefined();
      await expect(quotas.check('usage-p', null, { instances: 0 })).resolves.toBeUndefined();
      expect((await setQuota('usage-p', { key_pairs: 2 }, '?user_id=u1')).status).toBe(200);
      await expect(quotas.checkKeyPairs('usage-p', 'u1')).rejects.toThrow(
        'Quota exceeded, too many key pairs.',
      );
      await expect(quotas.checkKeyPairs('usage-p', 'u2')).resolves.toBe(1000); // the limit, for a recheck
      expect((await setQuota('usage-p', { server_groups: 3 })).status).toBe(200);
      await expect(quotas.checkServerGroups('usage-p', 'u2')).rejects.toThrow(
        'Quota exceeded, too many server groups.',
      );
    });
  });

  describe('GET /os-quota-sets/{project_id}', () => {
    it('shows the defaults for a project without limits of its own, with its id', async () => {
      const res = await get('/v2.1/os-quota-sets/demo', undefined, 'member');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ quota_set: { id: 'demo', ...DEFAULTS_2_1 } });
      expect(Object.keys(res.body.quota_set)).toEqual(['id', ...QUOTA_KEYS_2_1]);
    });

    it.each([
      ['2.1', QUOTA_KEYS_2_1],
      ['2.35', QUOTA_KEYS_2_1],
      ['2.36', quotaKeysWithout(NETWORK_QUOTAS)],
      ['2.50', quotaKeysWithout(NETWORK_QUOTAS)],
      ['2.56', quotaKeysWithout(NETWORK_QUOTAS)],
      ['2.57', quotaKeysWithout(NETWORK_QUOTAS, INJECTED_QUOTAS)],
      ['2.93', quotaKeysWithout(NETWORK_QUOTAS, INJECTED_QUOTAS)],
    ])('at %s shows exactly its resources', async (version, keys) => {
      const res = await get('/v2.1/os-quota-sets/demo', version, 'reader');
      expect(Object.keys(res.body.quota_set)).toEqual(['id', ...keys]);
    });

    it('answers through /{project_id}/os-quota-sets too', async () => {
      const res = await get('/v2.1/demo/os-quota-sets/demo', '2.57', 'member');
      expect(res.status).toBe(200);
      expect(res.body.quota_set.id).toBe('demo');
    });

    it("is 403 for another project's quotas, for every non-admin persona", async () => {
      for (const as of ['member', 'reader', 'manager'] as const) {
        const res = await get('/v2.1/os-quota-sets/other', undefined, as);
        expect(res.status).toBe(403);
        expect(res.body.forbidden.message).toBe(
          "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.",
        );
      }
      expect((await get('/v2.1/os-quota-sets/other/detail', undefined, 'member')).status).toBe(403);
      expect((await get('/v2.1/os-quota-sets/other', undefined, 'other')).status).toBe(200);
    });

    it('ignores unknown query parameters until 2.74 and rejects them from 2.75', async () => {
      for (const url of ['/v2.1/os-quota-sets/demo', '/v2.1/os-quota-sets/demo/detail']) {
        expect((await get(`${url}?colour=red`, '2.74')).status).toBe(200);
        expect((await get(`${url}?colour=red`, '2.75')).status).toBe(400);
        expect((await get(`${url}?user_id=demo`, '2.75')).status).toBe(200);
      }
    });
  });

  describe('GET /os-quota-sets/{project_id}/defaults', () => {
    it('shows the defaults, with the id asked for, to anyone', async () => {
      const res = await get('/v2.1/os-quota-sets/any-project/defaults', undefined, 'other');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ quota_set: { id: 'any-project', ...DEFAULTS_2_1 } });
    });

    it('shapes the defaults per microversion and takes any query', async () => {
      const res = await get('/v2.1/os-quota-sets/demo/defaults?colour=red', '2.75');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.quota_set)).toEqual([
        'id',
        ...quotaKeysWithout(NETWORK_QUOTAS, INJECTED_QUOTAS),
      ]);
    });
  });

  describe('PUT /os-quota-sets/{project_id}', () => {
    it('sets limits (integers or digit strings) and answers without an id', async () => {
      const res = await setQuota('qp1', { instances: 50, cores: '100', ram: -1, force: false });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        quota_set: { ...DEFAULTS_2_1, instances: 50, cores: 100, ram: -1 },
      });
      const shown = await get('/v2.1/os-quota-sets/qp1');
      expect(shown.body.quota_set).toMatchObject({ id: 'qp1', instances: 50, cores: 100, ram: -1 });
      const limits = await get('/v2.1/limits?tenant_id=qp1');
      expect(limits.body.limits.absolute).toMatchObject({
        maxTotalInstances: 50,
        maxTotalCores: 100,
        maxTotalRAMSize: -1,
      });
      expect((await setQuota('qp1', {})).body.quota_set.instances).toBe(50);
    });

    it('stores nova-network quotas before 2.36 and refuses the networks quota', async () => {
      const res = await put(
        '/v2.1/os-quota-sets/qp-net',
        { quota_set: { floating_ips: 10, security_groups: '5' } },
        '2.35',
      );
      expect(res.status).toBe(200);
      expect(res.body.quota_set).toMatchObject({ floating_ips: 10, security_groups: 5 });
      expect((await get('/v2.1/limits?tenant_id=qp-net')).body.limits.absolute).toMatchObject({
        maxTotalFloatingIps: 10,
        maxSecurityGroups: 5,
      });
      const networks = await setQuota('qp-net', { networks: 3 });
      expect(networks.status).toBe(400);
      expect(networks.body.badRequest.message).toBe('The networks quota has been removed');
      const later = await put(
        '/v2.1/os-quota-sets/qp-net',
        { quota_set: { floating_ips: 1 } },
        '2.36',
      );
      expect(later.status).toBe(400);
      expect(later.body.badRequest.message).toContain("('floating_ips' was unexpected)");
    });

    it('takes injected-file quotas until 2.56 and refuses them from 2.57', async () => {
      const ok = await put(
        '/v2.1/os-quota-sets/qp-inj',
        { quota_set: { injected_files: 7, server_group_members: 3 } },
        '2.56',
      );
      expect(ok.status).toBe(200);
      expect(ok.body.quota_set).toMatchObject({ injected_files: 7, server_group_members: 3 });
      expect(Object.keys(ok.body.quota_set)).toEqual(quotaKeysWithout(NETWORK_QUOTAS));
      const late = await put(
        '/v2.1/os-quota-sets/qp-inj',
        { quota_set: { injected_files: 7 } },
        '2.57',
      );
      expect(late.status).toBe(400);
      const v257 = await put('/v2.1/os-quota-sets/qp-inj', { quota_set: { key_pairs: 5 } }, '2.57');
      expect(Object.keys(v257.body.quota_set)).toEqual(
        quotaKeysWithout(NETWORK_QUOTAS, INJECTED_QUOTAS),
      );
    });

    it('keeps per-user limits apart from the project’s', async () => {
      expect((await setQuota('qp-user', { instances: 10, key_pairs: 50 })).status).toBe(200);
      const res = await setQuota('qp-user', { instances: 4, key_pairs: 5 }, '?user_id=alice');
      expect(res.status).toBe(200);
      expect(res.body.quota_set).toMatchObject({ instances: 4, key_pairs: 5, cores: 4000 });
      expect(res.body.quota_set.id).toBeUndefined();
      expect((await get('/v2.1/os-quota-sets/qp-user')).body.quota_set).toMatchObject({
        instances: 10,
        key_pairs: 50,
      });
      expect(
        (await get('/v2.1/os-quota-sets/qp-user?user_id=alice&user_id=bob')).body.quota_set,
      ).toMatchObject({ instances: 4, key_pairs: 5 }); // the first user_id counts
      expect((await get('/v2.1/os-quota-sets/qp-user?user_id=')).body.quota_set.instances).toBe(10);
    });

    it('refuses unknown query parameters from 2.75', async () => {
      const body = { quota_set: { instances: 9 } };
      expect((await put('/v2.1/os-quota-sets/qp2?colour=red', body, '2.74')).status).toBe(200);
      expect((await put('/v2.1/os-quota-sets/qp2?colour=red', body, '2.75')).status).toBe(400);
      expect((await put('/v2.1/os-quota-sets/qp2?user_id=u9', body, '2.75')).status).toBe(200);
    });

    it('is for admins only', async () => {
      const res = await api.put(
        '/v2.1/os-quota-sets/demo',
        { quota_set: { instances: 1 } },
        { as: 'member' },
      );
      expect(res.status).toBe(403);
      expect(res.body.forbidden.message).toBe(
        "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.",
      );
    });
  });

  describe('DELETE /os-quota-sets/{project_id}', () => {
    beforeAll(async () => {
      await setQuota('qp-del', { instances: 20, cores: 30 });
      await setQuota('qp-del', { instances: 5 }, '?user_id=alice');
      await setQuota('qp-del', { instances: 6 }, '?user_id=bob');
    });

    it("with user_id reverts only that user's limits (202)", async () => {
      const res = await api.delete('/v2.1/os-quota-sets/qp-del?user_id=alice');
      expect(res.status).toBe(202);
      expect(res.text).toBe('');
      expect((await get('/v2.1/os-quota-sets/qp-del?user_id=alice')).body.quota_set.instances).toBe(
        20,
      );
      expect((await get('/v2.1/os-quota-sets/qp-del?user_id=bob')).body.quota_set.instances).toBe(
        6,
      );
    });

    it("reverts the project's limits and its users' to the defaults (202)", async () => {
      expect((await api.delete('/v2.1/os-quota-sets/qp-del')).status).toBe(202);
      expect((await get('/v2.1/os-quota-sets/qp-del')).body.quota_set).toMatchObject({
        instances: 2000,
        cores: 4000,
      });
      expect((await get('/v2.1/os-quota-sets/qp-del?user_id=bob')).body.quota_set.instances).toBe(
        2000,
      );
    });

    it('is for admins only and strict about its query from 2.75', async () => {
      expect((await api.delete('/v2.1/os-quota-sets/demo', { as: 'member' })).status).toBe(403);
      expect(
        (await api.delete('/v2.1/os-quota-sets/qp-del?colour=red', { version: '2.75' })).status,
      ).toBe(400);
      expect(
        (await api.delete('/v2.1/os-quota-sets/qp-del?colour=red', { version: '2.74' })).status,
      ).toBe(202);
    });
  });

  describe('/os-quota-class-sets/{class}', () => {
    const CLASS_2_1 = Object.fromEntries(
      Object.entries(DEFAULTS_2_1).filter(([k]) => !k.startsWith('server_group')),
    );

    it('shows the default class at 2.1 without server groups', async () => {
      const res = await get('/v2.1/os-quota-class-sets/default');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ quota_class_set: { id: 'default', ...CLASS_2_1 } });
      expect(Object.keys(res.body.quota_class_set)).toEqual(['id', ...Object.keys(CLASS_2_1)]);
    });

    it.each([
      ['2.49', quotaKeysWithout(['server_group_members', 'server_groups'])],
      ['2.50', quotaKeysWithout(NETWORK_QUOTAS)],
      ['2.56', quotaKeysWithout(NETWORK_QUOTAS)],
      ['2.57', quotaKeysWithout(NETWORK_QUOTAS, INJECTED_QUOTAS)],
      ['2.93', quotaKeysWithout(NETWORK_QUOTAS, INJECTED_QUOTAS)],
    ])('at %s shows exactly its resources', async (version, keys) => {
      const res = await get('/v2.1/os-quota-class-sets/default', version);
      expect(Object.keys(res.body.quota_class_set)).toEqual(['id', ...keys]);
    });

    it('changes the defaults of every project without limits of its own', async () => {
      const res = await put(
        '/v2.1/os-quota-class-sets/default',
        { quota_class_set: { instances: 30, metadata_items: '64' } },
        '2.50',
      );
      expect(res.status).toBe(200);
      expect(res.body.quota_class_set).toEqual({
        cores: 4000,
        injected_file_content_bytes: 10240,
        injected_file_path_bytes: 255,
        injected_files: 5,
        instances: 30,
        key_pairs: 1000,
        metadata_items: 64,
        ram: 2000000,
        server_group_members: 10,
        server_groups: 100,
      });
      expect((await get('/v2.1/os-quota-sets/fresh/defaults')).body.quota_set.instances).toBe(30);
      expect((await get('/v2.1/os-quota-sets/fresh')).body.quota_set.instances).toBe(30);
      expect((await get('/v2.1/limits?tenant_id=fresh')).body.limits.absolute).toMatchObject({
        maxTotalInstances: 30,
        maxServerMeta: 64,
        maxImageMeta: 64,
      });
      // A project's own limit still wins.
      expect((await get('/v2.1/os-quota-sets/qp1')).body.quota_set.instances).toBe(50);
      await put('/v2.1/os-quota-class-sets/default', {
        quota_class_set: { instances: 2000, metadata_items: 128 },
      });
      expect((await get('/v2.1/limits', undefined, 'member')).body).toEqual(LIMITS_2_1);
    });

    it('stores other classes, over the [quota] defaults, without affecting projects', async () => {
      const res = await put('/v2.1/os-quota-class-sets/gold', { quota_class_set: { cores: 99 } });
      expect(res.status).toBe(200);
      expect(res.body.quota_class_set).toEqual({ ...CLASS_2_1, cores: 99 });
      const shown = await get('/v2.1/os-quota-class-sets/gold', '2.57');
      expect(shown.body.quota_class_set).toEqual({
        id: 'gold',
        cores: 99,
        instances: 2000,
        key_pairs: 1000,
        metadata_items: 128,
        ram: 2000000,
        server_group_members: 10,
        server_groups: 100,
      });
      expect((await get('/v2.1/os-quota-sets/fresh')).body.quota_set.cores).toBe(4000);
    });

    it('takes server-group quotas at 2.1 though it shows them only from 2.50', async () => {
      const res = await put('/v2.1/os-quota-class-sets/silver', {
        quota_class_set: { server_groups: 20, floating_ips: 3, networks: 2 },
      });
      expect(res.status).toBe(200);
      expect(res.body.quota_class_set.server_groups).toBeUndefined();
      expect(res.body.quota_class_set.floating_ips).toBe(3);
      const v250 = await get('/v2.1/os-quota-class-sets/silver', '2.50');
      expect(v250.body.quota_class_set.server_groups).toBe(20);
      expect(v250.body.quota_class_set.floating_ips).toBeUndefined();
    });

    it('refuses network quotas from 2.50 and injected files from 2.57', async () => {
      for (const [version, key] of [
        ['2.50', 'floating_ips'],
        ['2.50', 'networks'],
        ['2.57', 'injected_files'],
      ] as const) {
        const res = await put(
          '/v2.1/os-quota-class-sets/silver',
          { quota_class_set: { [key]: 1 } },
          version,
        );
        expect(res.status).toBe(400);
        expect(res.body.badRequest.message).toContain(`('${key}' was unexpected)`);
      }
    });

    it('limits the class name to 255 characters', async () => {
      const ok = await put(`/v2.1/os-quota-class-sets/${'c'.repeat(100)}`, {
        quota_class_set: { cores: 1 },
      });
      expect(ok.status).toBe(200);
      // Our check answers Nova's 400 for 256 characters and more; today Fastify's
      // router refuses path parameters over 100 characters first (414).
      const res = await put(`/v2.1/os-quota-class-sets/${'c'.repeat(256)}`, {
        quota_class_set: { cores: 1 },
      });
      expect([400, 414]).toContain(res.status);
      if (res.status === 400) {
        expect(res.body.badRequest.message).toBe(
          'quota_class_name has 256 characters, more than 255.',
        );
      }
    });

    it('is for admins only', async () => {
      for (const as of ['member', 'reader', 'manager', 'other'] as const) {
        expect((await get('/v2.1/os-quota-class-sets/default', undefined, as)).status).toBe(403);
      }
      const res = await api.put(
        '/v2.1/os-quota-class-sets/default',
        { quota_class_set: { cores: 1 } },
        { as: 'member' },
      );
      expect(res.body.forbidden.message).toBe(
        "Policy doesn't allow os_compute_api:os-quota-class-sets:update to be performed.",
      );
    });
  });

  describe('with [quota] driver = nova.quota.NoopQuotaDriver', () => {
    let noop: ApiClient;

    beforeAll(async () => {
      noop = await ApiClient.start({
        ...d.sections,
        quota: { ...SAMPLE_QUOTA, driver: 'nova.quota.NoopQuotaDriver' },
      });
    });

    afterAll(async () => {
      await noop.close();
    });

    it('reports every limit and usage as unlimited (-1)', async () => {
      const limits = await noop.get('/v2.1/limits', { as: 'member', version: '2.93' });
      expect(Object.values(limits.body.limits.absolute).every((v) => v === -1)).toBe(true);
      const detail = await noop.get('/v2.1/os-quota-sets/demo/detail', { version: '2.93' });
      expect(detail.body.quota_set.cores).toEqual({ in_use: -1, limit: -1, reserved: 0 });
      const set = await noop.put('/v2.1/os-quota-sets/demo', { quota_set: { cores: 0 } });
      expect(set.status).toBe(200);
      expect(set.body.quota_set.cores).toBe(-1);
      await api.delete('/v2.1/os-quota-sets/demo');
    });
  });
});
