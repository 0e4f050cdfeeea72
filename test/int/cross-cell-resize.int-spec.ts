import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@nova/common';
import { Cloud } from '../support/cloud';
import { query } from '../support/mysql';

type Usage = Record<string, number>;

/**
 * Cross-cell resize across real processes (MariaDB, RabbitMQ with a vhost per
 * cell, Redis): two cells of one fake host each, so a resize (which never
 * stays on its host here) can only land in the other cell. The policy
 * compute:servers:resize:cross_cell is given to admins only. Checked at each
 * step: where the server is mapped, which cell's copy is hidden, the
 * migration in both cells, placement's usage of both hosts, one server per
 * list, and nothing left behind by a revert or a failure.
 */
describe('cross-cell resize (separate processes)', () => {
  let cloud: Cloud;
  let policyDir: string;
  let imageRef: string;
  const admin = { as: 'admin' as const };

  beforeAll(async () => {
    policyDir = mkdtempSync(join(tmpdir(), 'nova-policy-'));
    const policyFile = join(policyDir, 'policy.yaml');
    writeFileSync(policyFile, '"compute:servers:resize:cross_cell": "role:admin"\n');
    cloud = await Cloud.start({
      cells: ['cell1', 'cell2'],
      computesPerCell: 1,
      extra: {
        oslo_policy: { policy_file: policyFile },
        quota: { instances: '-1', cores: '-1', ram: '-1' },
        fake_driver: {
          fail_migrate_pattern: '^xfail-migrate',
          fail_finish_pattern: '^xfail-finish',
        },
      },
    });
    for (const [id, vcpus, ram, disk] of [
      ['xc-small', 1, 256, 1],
      ['xc-big', 2, 512, 2],
    ] as const) {
      const res = await cloud.api.post('/v2.1/flavors', {
        flavor: { name: id, id, vcpus, ram, disk },
      });
      expect(res.status).toBe(200);
    }
    imageRef = (await cloud.api.get('/v2.1/images')).body.images[0].id as string;
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
    rmSync(policyDir, { recursive: true, force: true });
  });

  const apiDb = () => cloud.deployment.dbName('api');
  const db = (cell: string) => cloud.deployment.dbName(cell);
  const small = { VCPU: 1, MEMORY_MB: 256, DISK_GB: 1 };
  const big = { VCPU: 2, MEMORY_MB: 512, DISK_GB: 2 };
  const none = { VCPU: 0, MEMORY_MB: 0, DISK_GB: 0 };

  /** An admin's server on cell1's host (2.74's host), ACTIVE. */
  const boot = async (name: string) => {
    const res = await cloud.api.post(
      '/v2.1/servers',
      { server: { name, imageRef, flavorRef: 'xc-small', host: 'cell1-c1', networks: 'none' } },
      { ...admin, version: '2.74' },
    );
    expect(res.status === 202 ? 202 : res.text).toBe(202);
    const id = res.body.server.id as string;
    await idle(id, 'ACTIVE');
    return id;
  };
  const act = (id: string, body: unknown, as: 'admin' | 'member' = 'admin') =>
    cloud.api.post(`/v2.1/servers/${id}/action`, body, { as });
  const idle = (id: string, status: string) =>
    cloud.waitForServer(
      id,
      (s) => s.status === status && s['OS-EXT-STS:task_state'] === null,
      30_000,
    );
  const mappedCell = async (id: string) =>
    (
      await query<{ name: string }>(
        apiDb(),
        'SELECT c.name FROM instance_mappings m JOIN cell_mappings c ON c.id = m.cell_id WHERE m.instance_uuid = ?',
        [id],
      )
    )[0]?.name;
  /** The instance rows of a cell: hidden flag and deleted marker. */
  const rowsIn = (cell: string, id: string) =>
    query<{ hidden: number; deleted: number; host: string }>(
      db(cell),
      'SELECT hidden, deleted, host FROM instances WHERE uuid = ?',
      [id],
    );
  const migrationsIn = (cell: string, id: string) =>
    query<{ uuid: string; status: string; cross_cell_move: number; hidden: number }>(
      db(cell),
      'SELECT uuid, status, cross_cell_move, hidden FROM migrations WHERE instance_uuid = ? ORDER BY id',
      [id],
    );
  const countIn = async (cell: string, table: string, id: string) =>
    Number(
      (
        await query<{ n: number }>(
          db(cell),
          `SELECT COUNT(*) AS n FROM ${table} WHERE instance_uuid = ?`,
          [id],
        )
      )[0]?.n,
    );
  const usageOf = async (host: string): Promise<Usage> => {
    const rows = await query<{ rc: string; used: number }>(
      apiDb(),
      'SELECT rc.name AS rc, SUM(a.used) AS used FROM allocations a ' +
        'JOIN resource_providers rp ON rp.id = a.resource_provider_id ' +
        'JOIN resource_classes rc ON rc.id = a.resource_class_id WHERE rp.name = ? GROUP BY rc.name',
      [host],
    );
    return { ...none, ...Object.fromEntries(rows.map((r) => [r.rc, Number(r.used)])) };
  };
  const consumersOn = async (host: string) =>
    (
      await query<{ consumer_id: string }>(
        apiDb(),
        'SELECT DISTINCT a.consumer_id FROM allocations a ' +
          'JOIN resource_providers rp ON rp.id = a.resource_provider_id WHERE rp.name = ?',
        [host],
      )
    ).map((r) => r.consumer_id);
  /** Deleted (the host's terminate done), so the next test's host is empty. */
  const gone = async (id: string) => {
    while ((await cloud.api.get(`/v2.1/servers/${id}`)).status !== 404) {
      await sleep(50);
    }
    while ((await usageOf('cell1-c1')).VCPU + (await usageOf('cell2-c1')).VCPU > 0) {
      await sleep(50);
    }
  };
  /** Until os-hypervisors shows the host's vCPUs used as placement counts them (reports lag). */
  const hypervisorAgrees = async (host: string) => {
    const expected = (await usageOf(host)).VCPU;
    let shown: unknown;
    for (let tries = 0; tries < 300; tries++) {
      const res = await cloud.api.get('/v2.1/os-hypervisors/detail', admin);
      shown = (res.body.hypervisors as Array<Record<string, unknown>>).find(
        (h) => h['hypervisor_hostname'] === host,
      )?.['vcpus_used'];
      if (shown === expected) {
        return;
      }
      await sleep(50);
    }
    throw new Error(
      `os-hypervisors shows ${String(shown)} vCPUs used on ${host}, placement ${expected}`,
    );
  };
  /** How many times the server is in the admin's detailed list. */
  const timesListed = async (id: string) => {
    const res = await cloud.api.get('/v2.1/servers/detail?all_tenants=1&limit=1000', admin);
    expect(res.status).toBe(200);
    return (res.body.servers as Array<{ id: string }>).filter((s) => s.id === id).length;
  };

  it('resizes into the other cell, listed once throughout; confirm drops the source copy and frees its host', async () => {
    const id = await boot('xc-confirm');
    expect(await usageOf('cell1-c1')).toEqual(small);

    expect((await act(id, { resize: { flavorRef: 'xc-big' } })).status).toBe(202);
    // Listed exactly once at every look until the move settles, whichever cell shows it.
    let server: Record<string, any> = {};
    do {
      expect(await timesListed(id)).toBe(1);
      server = (await cloud.api.get(`/v2.1/servers/${id}`)).body.server;
    } while (!(server.status === 'VERIFY_RESIZE' && server['OS-EXT-STS:task_state'] === null));
    expect(await timesListed(id)).toBe(1);

    expect(server['OS-EXT-SRV-ATTR:host']).toBe('cell2-c1');
    expect(server['flavor']).toMatchObject({ id: 'xc-big' });
    expect(await mappedCell(id)).toBe('cell2');
    expect(await rowsIn('cell1', id)).toEqual([{ hidden: 1, deleted: 0, host: 'cell1-c1' }]);
    expect(await rowsIn('cell2', id)).toEqual([{ hidden: 0, deleted: 0, host: 'cell2-c1' }]);
    const [m1] = await migrationsIn('cell1', id);
    const [m2] = await migrationsIn('cell2', id);
    expect(m1).toMatchObject({ status: 'finished', cross_cell_move: 1, hidden: 1 });
    expect(m2).toMatchObject({ uuid: m1?.uuid, status: 'finished', cross_cell_move: 1, hidden: 0 });
    // The source held by the migration, the destination by the instance.
    expect(await usageOf('cell1-c1')).toEqual(small);
    expect(await consumersOn('cell1-c1')).toEqual([m1?.uuid]);
    expect(await usageOf('cell2-c1')).toEqual(big);
    expect(await consumersOn('cell2-c1')).toEqual([id]);
    await hypervisorAgrees('cell1-c1');
    await hypervisorAgrees('cell2-c1');
    // The records came along: the resize action and its events are read in cell2.
    const actions = (await cloud.api.get(`/v2.1/servers/${id}/os-instance-actions`)).body
      .instanceActions as Array<{ action: string }>;
    expect(actions.map((a) => a.action)).toEqual(['resize', 'create']);
    const migrations = (await cloud.api.get(`/v2.1/os-migrations?instance_uuid=${id}`, admin)).body
      .migrations as Array<{ status: string }>;
    expect(migrations.map((m) => m.status)).toEqual(['finished']);

    expect((await act(id, { confirmResize: null })).status).toBe(204);
    const confirmed = await idle(id, 'ACTIVE');
    expect(confirmed['OS-EXT-SRV-ATTR:host']).toBe('cell2-c1');
    expect(await rowsIn('cell1', id)).toEqual([]);
    expect(await countIn('cell1', 'instance_extra', id)).toBe(0);
    expect(await countIn('cell1', 'instance_actions', id)).toBe(0);
    expect((await migrationsIn('cell1', id))[0]?.status).toBe('confirmed');
    expect((await migrationsIn('cell2', id))[0]?.status).toBe('confirmed');
    expect(await usageOf('cell1-c1')).toEqual(none);
    expect(await usageOf('cell2-c1')).toEqual(big);
    await hypervisorAgrees('cell1-c1');
    await hypervisorAgrees('cell2-c1');
    expect(await timesListed(id)).toBe(1);

    expect((await cloud.api.delete(`/v2.1/servers/${id}`, admin)).status).toBe(204);
    await gone(id);
  });

  it('reverts: the mapping back to cell1, the source copy shown again, the target copy gone', async () => {
    const id = await boot('xc-revert');
    expect((await act(id, { resize: { flavorRef: 'xc-big' } })).status).toBe(202);
    await idle(id, 'VERIFY_RESIZE');
    const [m] = await migrationsIn('cell1', id);

    expect((await act(id, { revertResize: null })).status).toBe(202);
    const reverted = await cloud.waitForServer(
      id,
      (s) =>
        s.status === 'ACTIVE' &&
        s['OS-EXT-STS:task_state'] === null &&
        s['OS-EXT-SRV-ATTR:host'] === 'cell1-c1',
      30_000,
    );
    expect(reverted['flavor']).toMatchObject({ id: 'xc-small' });
    expect(await mappedCell(id)).toBe('cell1');
    expect(await rowsIn('cell1', id)).toEqual([{ hidden: 0, deleted: 0, host: 'cell1-c1' }]);
    expect(await rowsIn('cell2', id)).toEqual([]);
    expect(await migrationsIn('cell2', id)).toEqual([]);
    expect(await migrationsIn('cell1', id)).toEqual([
      { uuid: m?.uuid, status: 'reverted', cross_cell_move: 1, hidden: 0 },
    ]);
    expect(await usageOf('cell1-c1')).toEqual(small);
    expect(await consumersOn('cell1-c1')).toEqual([id]);
    expect(await usageOf('cell2-c1')).toEqual(none);
    expect(await timesListed(id)).toBe(1);
    // The revert made in cell2 was brought back with the source copy.
    const actions = (await cloud.api.get(`/v2.1/servers/${id}/os-instance-actions`)).body
      .instanceActions as Array<{ action: string }>;
    expect(actions.map((a) => a.action)).toEqual(['revertResize', 'resize', 'create']);

    expect((await cloud.api.delete(`/v2.1/servers/${id}`, admin)).status).toBe(204);
    await gone(id);
  });

  it('a delete in VERIFY_RESIZE confirms first: no copy, guest or allocation left in either cell', async () => {
    const id = await boot('xc-delete');
    expect((await act(id, { resize: { flavorRef: 'xc-big' } })).status).toBe(202);
    await idle(id, 'VERIFY_RESIZE');
    const [m] = await migrationsIn('cell1', id);

    expect((await cloud.api.delete(`/v2.1/servers/${id}`, admin)).status).toBe(204);
    await gone(id);
    expect(await rowsIn('cell1', id)).toEqual([]);
    expect((await migrationsIn('cell1', id))[0]?.status).toBe('confirmed');
    expect((await rowsIn('cell2', id)).map((r) => r.deleted !== 0)).toEqual([true]);
    const held = await query<{ n: number }>(
      apiDb(),
      'SELECT COUNT(*) AS n FROM allocations WHERE consumer_id IN (?, ?)',
      [id, m?.uuid],
    );
    expect(Number(held[0]?.n)).toBe(0);
  });

  it.each([
    ['on the source', 'xfail-migrate-1'],
    ['on the destination', 'xfail-finish-1'],
  ])(
    'a failure %s rolls back: ACTIVE in cell1 with a fault, no copy in cell2, no leaked allocation',
    async (_where, name) => {
      const id = await boot(name);
      expect((await act(id, { resize: { flavorRef: 'xc-big' } })).status).toBe(202);
      const [m] = await migrationsIn('cell1', id);
      // The migration ends in error once the move is undone.
      let status = m?.status;
      while (status !== 'error') {
        await sleep(50);
        status = (await migrationsIn('cell1', id))[0]?.status;
      }
      const back = await idle(id, 'ACTIVE');
      expect(back['OS-EXT-SRV-ATTR:host']).toBe('cell1-c1');
      expect(back['flavor']).toMatchObject({ id: 'xc-small' });
      expect(await mappedCell(id)).toBe('cell1');
      expect(await rowsIn('cell1', id)).toEqual([{ hidden: 0, deleted: 0, host: 'cell1-c1' }]);
      expect(await rowsIn('cell2', id)).toEqual([]);
      expect(await countIn('cell2', 'instance_actions', id)).toBe(0);
      expect(await migrationsIn('cell2', id)).toEqual([]);
      expect(await usageOf('cell1-c1')).toEqual(small);
      expect(await consumersOn('cell1-c1')).toEqual([id]);
      expect(await usageOf('cell2-c1')).toEqual(none);
      const faults = await query<{ message: string }>(
        db('cell1'),
        'SELECT message FROM instance_faults WHERE instance_uuid = ?',
        [id],
      );
      expect(faults.map((f) => f.message).join('\n')).toMatch(/Injected/);
      expect(await timesListed(id)).toBe(1);
      expect((await cloud.api.delete(`/v2.1/servers/${id}`, admin)).status).toBe(204);
      await gone(id);
    },
  );

  it('without the policy a resize stays in its cell: NoValidHost when only the other cell fits, nothing changed', async () => {
    // A member's server (the resize policy passes, cross_cell does not), on either cell's host.
    const booted = await cloud.api.post(
      '/v2.1/servers',
      { server: { name: 'xc-denied', imageRef, flavorRef: 'xc-small' } },
      { as: 'member' },
    );
    expect(booted.status).toBe(202);
    const id = booted.body.server.id as string;
    const server = await idle(id, 'ACTIVE');
    const source = server['OS-EXT-SRV-ATTR:host'] as string;
    const other = source === 'cell1-c1' ? 'cell2-c1' : 'cell1-c1';
    const otherBefore = await usageOf(other);

    const res = await act(id, { resize: { flavorRef: 'xc-big' } }, 'member');
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toMatch(/No valid host/);
    const after = await idle(id, 'ACTIVE');
    expect(after['OS-EXT-SRV-ATTR:host']).toBe(source);
    expect(after['flavor']).toMatchObject({ id: 'xc-small' });
    expect(await mappedCell(id)).toBe(source.split('-')[0]);
    expect(await rowsIn(other.split('-')[0] ?? '', id)).toEqual([]);
    expect(await usageOf(source)).toEqual(small);
    expect(await consumersOn(source)).toEqual([id]);
    expect(await usageOf(other)).toEqual(otherBefore);
    expect((await cloud.api.delete(`/v2.1/servers/${id}`, admin)).status).toBe(204);
    await gone(id);
  });

  it('with a host free in its own cell, even an allowed resize stays there', async () => {
    cloud.startCompute('cell1', 'cell1-c2');
    await cloud.waitForHosts(3);
    const id = await boot('xc-stays');
    expect((await act(id, { resize: { flavorRef: 'xc-big' } })).status).toBe(202);
    const resized = await idle(id, 'VERIFY_RESIZE');
    expect(resized['OS-EXT-SRV-ATTR:host']).toBe('cell1-c2');
    expect(await mappedCell(id)).toBe('cell1');
    expect((await migrationsIn('cell1', id))[0]?.cross_cell_move).toBe(0);
    expect(await rowsIn('cell2', id)).toEqual([]);
    expect((await act(id, { confirmResize: null })).status).toBe(204);
    await idle(id, 'ACTIVE');
  });
});
