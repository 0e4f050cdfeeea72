import { ApiClient, type ApiResponse } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';
import { HostSeed } from '../../support/host-seed';

const START = '2026-01-01T00:00:00';
const END = '2026-01-02T00:00:00';
const PERIOD = `start=${START}&end=${END}`;
const SMALL = { name: 'm1.small', memory_mb: 2048, root_gb: 20, ephemeral_gb: 0, vcpus: 1 };
const TINY = { name: 'm1.tiny', memory_mb: 512, root_gb: 1, ephemeral_gb: 0, vcpus: 1 };
const LARGE = { name: 'm1.large', memory_mb: 8192, root_gb: 80, ephemeral_gb: 10, vcpus: 4 };
const at = (iso: string) => new Date(`${iso}Z`);

type Usage = { instance_id: string; [k: string]: unknown };

/** /os-simple-tenant-usage over HTTP across two cells (deleted instances too), MariaDB + Redis. */
describe('os-simple-tenant-usage API', () => {
  let d: TestDeployment;
  let api: ApiClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1', 'cell2'] });
    api = await ApiClient.start(d.sections);
    const seed = new HostSeed(api);
    const add = async (
      key: string,
      cell: string,
      fields: Record<string, unknown>,
      flavor?: Record<string, unknown>,
    ) => {
      const i = await seed.instance(cell, { display_name: key, ...fields });
      if (flavor) {
        await seed.instanceFlavor(cell, i.uuid, flavor);
      }
      ids[key] = i.uuid;
      return i;
    };
    // Running since before the period: all 24 hours.
    await add('running', 'cell1', { launched_at: at('2025-12-31T12:00:00') }, SMALL);
    // Ran 6 hours inside the period, then was deleted.
    const gone = await add(
      'deleted',
      'cell1',
      {
        launched_at: at('2026-01-01T06:00:00'),
        terminated_at: at('2026-01-01T12:00:00'),
        vm_state: 'deleted',
      },
      TINY,
    );
    await seed.softDeleteInstance('cell1', gone.id);
    // Another project in the other cell: the last 6 hours.
    await add(
      'other',
      'cell2',
      { project_id: 'other', user_id: 'other', launched_at: at('2026-01-01T18:00:00') },
      LARGE,
    );
    // Outside the period, or never launched: not counted.
    await add(
      'before',
      'cell2',
      { launched_at: at('2025-12-30T00:00:00'), terminated_at: at('2025-12-31T23:00:00') },
      TINY,
    );
    await add('after', 'cell1', { launched_at: at('2026-01-03T00:00:00') }, TINY);
    await add('never', 'cell0', { vm_state: 'error' });
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  const servers = (usages: Array<{ server_usages?: Usage[] }>) =>
    usages.flatMap((u) => u.server_usages ?? []).map((s) => s.instance_id);

  it('sums every tenant of every cell over the period, deleted instances included', async () => {
    const res = await api.get(`/v2.1/os-simple-tenant-usage?${PERIOD}&detailed=1`);
    expect(res.status).toBe(200);
    const usages = res.body.tenant_usages as Array<Record<string, any>>;
    expect(usages.map((u) => u['tenant_id']).sort()).toEqual(['demo', 'other']);
    const demo = usages.find((u) => u['tenant_id'] === 'demo');
    expect(demo).toMatchObject({
      total_hours: 30,
      total_local_gb_usage: 20 * 24 + 1 * 6,
      total_vcpus_usage: 30,
      total_memory_mb_usage: 2048 * 24 + 512 * 6,
      start: '2026-01-01T00:00:00.000000',
      stop: '2026-01-02T00:00:00.000000',
    });
    const byName = Object.fromEntries(
      (demo?.['server_usages'] as Usage[]).map((s) => [s['name'], s]),
    );
    expect(byName['deleted']).toEqual({
      instance_id: ids['deleted'],
      name: 'deleted',
      tenant_id: 'demo',
      flavor: 'm1.tiny',
      hours: 6,
      memory_mb: 512,
      local_gb: 1,
      vcpus: 1,
      started_at: '2026-01-01T06:00:00.000000',
      ended_at: '2026-01-01T12:00:00.000000',
      state: 'terminated',
      uptime: 6 * 3600,
    });
    expect(byName['running']).toMatchObject({
      hours: 24,
      flavor: 'm1.small',
      local_gb: 20,
      state: 'active',
      ended_at: null,
    });
    expect(byName['running']?.['uptime']).toBeGreaterThan(24 * 3600);
    expect(usages.find((u) => u['tenant_id'] === 'other')).toMatchObject({
      total_hours: 6,
      total_local_gb_usage: 90 * 6,
      total_vcpus_usage: 24,
      total_memory_mb_usage: 8192 * 6,
    });
    expect(servers(usages).sort()).toEqual([ids['running'], ids['deleted'], ids['other']].sort());
  });

  it('leaves server_usages out unless detailed=1', async () => {
    const res = await api.get(`/v2.1/os-simple-tenant-usage?${PERIOD}`);
    expect(res.status).toBe(200);
    for (const usage of res.body.tenant_usages) {
      expect(usage).not.toHaveProperty('server_usages');
    }
    expect(res.body).not.toHaveProperty('tenant_usages_links');
  });

  it("shows one tenant's usage to its own readers, detailed, and {} for no usage", async () => {
    const own = await api.get(`/v2.1/os-simple-tenant-usage/demo?${PERIOD}`, { as: 'member' });
    expect(own.status).toBe(200);
    expect(own.body.tenant_usage).toMatchObject({ tenant_id: 'demo', total_hours: 30 });
    expect(servers([own.body.tenant_usage]).sort()).toEqual(
      [ids['running'], ids['deleted']].sort(),
    );
    const reader = await api.get(`/v2.1/os-simple-tenant-usage/demo?${PERIOD}`, { as: 'reader' });
    expect(reader.status).toBe(200);
    const none = await api.get(`/v2.1/os-simple-tenant-usage/nobody?${PERIOD}`);
    expect(none.body).toEqual({ tenant_usage: {} });
  });

  it('is admin only for the list and owner-or-admin for a tenant', async () => {
    expect((await api.get(`/v2.1/os-simple-tenant-usage?${PERIOD}`, { as: 'member' })).status).toBe(
      403,
    );
    const theirs = await api.get(`/v2.1/os-simple-tenant-usage/demo?${PERIOD}`, { as: 'other' });
    expect(theirs.status).toBe(403);
  });

  it('refuses bad dates and a start after the end', async () => {
    for (const bad of ['start=yesterday', 'start=2026-01-01', `start=${START}Z&end=${END}`]) {
      expect((await api.get(`/v2.1/os-simple-tenant-usage?${bad}`)).body).toEqual({
        badRequest: {
          code: 400,
          message: 'Invalid datetime string: Datetime is in invalid format',
        },
      });
    }
    expect((await api.get(`/v2.1/os-simple-tenant-usage?start=${END}&end=${START}`)).body).toEqual({
      badRequest: {
        code: 400,
        message: 'Invalid start time. The start time cannot occur after the end time.',
      },
    });
    // The other accepted forms.
    const spaced = await api.get(
      '/v2.1/os-simple-tenant-usage?start=2026-01-01%2000:00:00.000000&end=2026-01-02T00:00:00.5',
    );
    expect(spaced.status).toBe(200);
  });

  it('pages by instance from 2.40, with tenant_usages_links (ignored before)', async () => {
    const v239 = await api.get(`/v2.1/os-simple-tenant-usage?${PERIOD}&detailed=1&limit=1`, {
      version: '2.39',
    });
    expect(servers(v239.body.tenant_usages)).toHaveLength(3);
    expect(v239.body).not.toHaveProperty('tenant_usages_links');

    const seen: string[] = [];
    let url: string | undefined = `/v2.1/os-simple-tenant-usage?${PERIOD}&detailed=1&limit=1`;
    for (let pages = 0; url && pages < 10; pages++) {
      const res: ApiResponse = await api.get(url, { version: '2.40' });
      expect(res.status).toBe(200);
      seen.push(...servers(res.body.tenant_usages));
      const next: { rel: string; href: string } | undefined = res.body.tenant_usages_links?.[0];
      if (next) {
        expect(next.rel).toBe('next');
        expect(next.href).toContain(`marker=${seen[seen.length - 1]}`);
      }
      url = next ? new URL(next.href).pathname + new URL(next.href).search : undefined;
    }
    expect(seen.sort()).toEqual([ids['running'], ids['deleted'], ids['other']].sort());

    const shown = await api.get(`/v2.1/os-simple-tenant-usage/demo?${PERIOD}&limit=1`, {
      version: '2.40',
    });
    expect(servers([shown.body.tenant_usage])).toHaveLength(1);
    expect(shown.body.tenant_usage_links[0].href).toMatch(
      /\/v2\.1\/os-simple-tenant-usage\/demo\?.*marker=/,
    );
    const unknown = await api.get(
      `/v2.1/os-simple-tenant-usage?${PERIOD}&marker=c0ffee00-0000-4000-8000-000000000000`,
      { version: '2.40' },
    );
    expect(unknown.body).toEqual({
      badRequest: {
        code: 400,
        message: 'Marker c0ffee00-0000-4000-8000-000000000000 could not be found.',
      },
    });
  });

  it('refuses unknown query parameters from 2.75', async () => {
    expect(
      (await api.get(`/v2.1/os-simple-tenant-usage?${PERIOD}&colour=1`, { version: '2.74' }))
        .status,
    ).toBe(200);
    expect(
      (await api.get(`/v2.1/os-simple-tenant-usage?${PERIOD}&colour=1`, { version: '2.75' }))
        .status,
    ).toBe(400);
    expect(
      (await api.get(`/v2.1/os-simple-tenant-usage/demo?${PERIOD}&detailed=1`, { version: '2.75' }))
        .status,
    ).toBe(400);
  });
});
