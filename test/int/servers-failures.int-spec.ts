import { Cloud } from '../support/cloud';
import { manageOk } from '../support/manage';
import { query } from '../support/mysql';

/**
 * Builds that go wrong, across real processes (one cell): no valid host, a
 * spawn failure rescheduled on an alternate, a compute killed mid-build.
 */
describe('failed builds (separate processes)', () => {
  let cloud: Cloud;
  let imageRef: string;
  const member = { as: 'member' as const };

  beforeAll(async () => {
    cloud = await Cloud.start({ cells: ['cell1'], computesPerCell: 0 });
    // c1 has the most free RAM, so the RAM weigher tries it first, and every spawn there fails.
    cloud.startCompute('cell1', 'c1', {
      OS_FAKE_DRIVER__MEMORY_MB: '65536',
      OS_FAKE_DRIVER__FAIL_SPAWN_PATTERN: '.',
    });
    cloud.startCompute('cell1', 'c2');
    await cloud.waitForHosts(2);
    // f-huge fits the quotas (disk has none) but no host's disk.
    for (const [id, disk] of [
      ['f-small', 1],
      ['f-huge', 100_000],
    ] as const) {
      const res = await cloud.api.post('/v2.1/flavors', {
        flavor: { name: id, id, vcpus: 1, ram: 512, disk },
      });
      expect(res.status).toBe(200);
    }
    imageRef = (await cloud.api.get('/v2.1/images')).body.images[0].id as string;
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  const boot = async (name: string, flavorRef = 'f-small') => {
    const res = await cloud.api.post(
      '/v2.1/servers',
      { server: { name, imageRef, flavorRef } },
      member,
    );
    expect(res.status).toBe(202);
    return res.body.server.id as string;
  };

  /** Rows of an API-database table that belong to the instance. */
  const apiRows = async (table: 'allocations' | 'fixed_ips', uuid: string) =>
    Number(
      (
        await query<{ n: number }>(
          cloud.deployment.dbName('api'),
          `SELECT COUNT(*) AS n FROM ${table} WHERE ${table === 'allocations' ? 'consumer_id' : 'instance_uuid'} = ?`,
          [uuid],
        )
      )[0]?.n,
    );
  const allocations = (uuid: string) => apiRows('allocations', uuid);
  const addresses = (uuid: string) => apiRows('fixed_ips', uuid);

  it('no valid host: ERROR in cell0 with a fault, shown and deleted', async () => {
    const id = await boot('too-big', 'f-huge');
    const server = await cloud.waitForServer(id, (s) => s.status === 'ERROR');
    expect(server['fault'].code).toBe(500);
    expect(server['fault'].message).toMatch(/^No valid host was found/);
    const [mapping] = await query<{ name: string }>(
      cloud.deployment.dbName('api'),
      'SELECT c.name FROM instance_mappings m JOIN cell_mappings c ON c.id = m.cell_id WHERE m.instance_uuid = ?',
      [id],
    );
    expect(mapping?.name).toBe('cell0');
    // Its flat address, taken while the scheduler decided, went back.
    expect(await addresses(id)).toBe(0);
    expect((await cloud.api.delete(`/v2.1/servers/${id}`, member)).status).toBe(204);
    expect((await cloud.api.get(`/v2.1/servers/${id}`, member)).status).toBe(404);
  });

  it('a failed spawn is rescheduled on an alternate host', async () => {
    const id = await boot('retried');
    await cloud.waitForServer(id, (s) => s.status === 'ACTIVE');
    const admin = await cloud.api.get(`/v2.1/servers/${id}`);
    expect(admin.body.server['OS-EXT-SRV-ATTR:host']).toBe('c2');
    const actions = await cloud.api.get(`/v2.1/servers/${id}/os-instance-actions`);
    const create = (
      actions.body.instanceActions as Array<{ action: string; request_id: string }>
    ).find((a) => a.action === 'create')!;
    const events = (
      await cloud.api.get(`/v2.1/servers/${id}/os-instance-actions/${create.request_id}`, {
        version: '2.62',
      })
    ).body.instanceAction.events as Array<{ host: string; result: string }>;
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ host: 'c1', result: 'Error' }),
        expect.objectContaining({ host: 'c2', result: 'Success' }),
      ]),
    );
    expect(await allocations(id)).toBeGreaterThan(0);
    expect(await addresses(id)).toBe(1);
  });

  it('a compute killed mid-build: the instance ends in ERROR and its claim is released', async () => {
    // c3 is the roomiest (picked first) and its spawns take a minute.
    const c3 = cloud.startCompute('cell1', 'c3', {
      OS_FAKE_DRIVER__MEMORY_MB: '262144',
      OS_FAKE_DRIVER__SPAWN_DELAY_MS: '60000',
    });
    await cloud.waitForHosts(3);
    const id = await boot('stranded');
    await cloud.waitForServer(id, (s) => s['OS-EXT-STS:task_state'] === 'spawning', 20_000);
    expect((await cloud.api.get(`/v2.1/servers/${id}`)).body.server['OS-EXT-SRV-ATTR:host']).toBe(
      'c3',
    );
    expect(await allocations(id)).toBeGreaterThan(0);
    await c3.kill();
    const server = await cloud.waitForServer(
      id,
      (s) => s.status === 'ERROR' && s['fault'] !== undefined,
      30_000,
    );
    expect(server['fault'].message).toMatch(/c3/);
    expect(await allocations(id)).toBe(0);
    expect((await cloud.api.delete(`/v2.1/servers/${id}`, member)).status).toBe(204);
    await cloud.waitForGone(id);
  });

  it("a build that fails in the super conductor (the cell's queue unreachable) ends in ERROR", async () => {
    let failed: string | undefined;
    const [cell1] = await query<{ uuid: string; transport_url: string }>(
      cloud.deployment.dbName('api'),
      "SELECT uuid, transport_url FROM cell_mappings WHERE name = 'cell1'",
    );
    await manageOk(
      cloud.sections,
      'cell_v2',
      'update_cell',
      '--cell_uuid',
      cell1.uuid,
      '--transport-url',
      'rabbit://guest:guest@127.0.0.1:1/nowhere',
    );
    try {
      const id = await boot('unreachable');
      const server = await cloud.waitForServer(id, (s) => s.status === 'ERROR', 40_000);
      expect(server['fault'].message).toMatch(new RegExp(`^Build of instance ${id} aborted: `));
      expect(await allocations(id)).toBe(0);
      failed = id;
    } finally {
      await manageOk(
        cloud.sections,
        'cell_v2',
        'update_cell',
        '--cell_uuid',
        cell1.uuid,
        '--transport-url',
        cell1.transport_url,
      );
    }
    // Once the queue is back, the cell builds again and the ERROR server is deleted as any other.
    const after = await boot('reachable');
    await cloud.waitForServer(after, (s) => s.status === 'ACTIVE', 40_000);
    for (const id of [failed, after]) {
      expect((await cloud.api.delete(`/v2.1/servers/${id}`, member)).status).toBe(204);
      await cloud.waitForGone(id);
    }
  });
});
