import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '@nova/common';
import { ApiClient } from '../support/api-client';
import { Cloud } from '../support/cloud';
import { query } from '../support/mysql';

type Usage = Record<string, number>;

/**
 * Moves inside a cell across real processes (MariaDB, RabbitMQ, Redis; one
 * cell, three fake computes): resize with confirm and revert, cold and live
 * migration, evacuation of a forced-down host; rollbacks through the fake
 * driver's injected failures; placement's usage of each host at every step
 * (the source's allocation held by the migration, the destination's by the
 * instance); racing moves; the auto-confirm; os-migrations and
 * servers/{id}/migrations.
 */
describe('server moves inside a cell (separate processes)', () => {
  let cloud: Cloud;
  const hosts = ['cell1-c1', 'cell1-c2', 'cell1-c3'];
  const member = { as: 'member' as const };
  let imageRef: string;

  beforeAll(async () => {
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 3,
      extra: {
        // An hour: the auto-confirm test backdates its migration instead of waiting.
        DEFAULT: { resize_confirm_window: '3600' },
        quota: { instances: '-1', cores: '-1', ram: '-1' },
        fake_driver: {
          fail_migrate_pattern: '^fail-migrate',
          fail_finish_pattern: '^fail-finish',
          fail_live_migration_pattern: '^fail-live',
          hold_live_migration_pattern: '^hold-live',
        },
      },
    });
    for (const [id, vcpus, ram, disk] of [
      ['mv-small', 1, 256, 1],
      ['mv-big', 2, 512, 2],
      ['mv-nodisk', 1, 256, 0],
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
  });

  const apiDb = () => cloud.deployment.dbName('api');
  const cellDb = () => cloud.deployment.dbName('cell1');

  const boot = async (
    name: string,
    extra: Record<string, unknown> = {},
    flavorRef = 'mv-small',
  ) => {
    const res = await cloud.api.post(
      '/v2.1/servers',
      { server: { name, imageRef, flavorRef, ...extra } },
      member,
    );
    expect(res.status === 202 ? 202 : res.text).toBe(202);
    const id = res.body.server.id as string;
    await idle(id, 'ACTIVE');
    return id;
  };
  const act = (
    id: string,
    body: unknown,
    version = '2.1',
    as: 'member' | 'admin' | 'manager' = 'member',
  ) => cloud.api.post(`/v2.1/servers/${id}/action`, body, { as, version });
  const idle = (id: string, status: string, timeoutMs = 30_000) =>
    cloud.waitForServer(
      id,
      (s) => s.status === status && s['OS-EXT-STS:task_state'] === null,
      timeoutMs,
    );
  const hostOf = async (id: string) =>
    (await cloud.api.get(`/v2.1/servers/${id}`)).body.server['OS-EXT-SRV-ATTR:host'] as string;

  /** What allocations use on a host's provider, by class. */
  const usageOf = async (host: string): Promise<Usage> => {
    const rows = await query<{ rc: string; used: number }>(
      apiDb(),
      'SELECT rc.name AS rc, SUM(a.used) AS used FROM allocations a ' +
        'JOIN resource_providers rp ON rp.id = a.resource_provider_id ' +
        'JOIN resource_classes rc ON rc.id = a.resource_class_id WHERE rp.name = ? GROUP BY rc.name',
      [host],
    );
    return {
      VCPU: 0,
      MEMORY_MB: 0,
      DISK_GB: 0,
      ...Object.fromEntries(rows.map((r) => [r.rc, Number(r.used)])),
    };
  };
  /** A consumer's allocations, by host then class. */
  const allocationsOf = async (consumer: string): Promise<Record<string, Usage>> => {
    const rows = await query<{ host: string; rc: string; used: number }>(
      apiDb(),
      'SELECT rp.name AS host, rc.name AS rc, a.used AS used FROM allocations a ' +
        'JOIN resource_providers rp ON rp.id = a.resource_provider_id ' +
        'JOIN resource_classes rc ON rc.id = a.resource_class_id WHERE a.consumer_id = ?',
      [consumer],
    );
    const out: Record<string, Usage> = {};
    for (const r of rows) {
      out[r.host] = { ...out[r.host], [r.rc]: Number(r.used) };
    }
    return out;
  };
  const small = { VCPU: 1, MEMORY_MB: 256, DISK_GB: 1 };
  const big = { VCPU: 2, MEMORY_MB: 512, DISK_GB: 2 };
  const minus = (a: Usage, b: Usage): Usage =>
    Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]));

  /** Until os-hypervisors reports the host's vCPUs used as placement counts them (reports lag). */
  const hypervisorAgrees = async (host: string) => {
    const started = Date.now();
    let shown: unknown;
    const expected = (await usageOf(host))['VCPU'];
    while (Date.now() - started < 15_000) {
      const res = await cloud.api.get('/v2.1/os-hypervisors/detail');
      shown = (res.body.hypervisors as Array<Record<string, unknown>>).find(
        (h) => h['hypervisor_hostname'] === host,
      )?.['vcpus_used'];
      if (shown === expected) {
        return;
      }
      await sleep(100);
    }
    throw new Error(
      `os-hypervisors shows ${String(shown)} vCPUs used on ${host}, placement ${expected}`,
    );
  };

  /** The server's migrations as os-migrations shows them to an admin (newest first). */
  const migrationsOf = async (id: string) =>
    (await cloud.api.get(`/v2.1/os-migrations?instance_uuid=${id}`, { version: '2.80' })).body
      .migrations as Array<Record<string, any>>;
  const waitForMigration = async (id: string, status: string, timeoutMs = 30_000) => {
    const started = Date.now();
    let last: Array<Record<string, any>> = [];
    while (Date.now() - started < timeoutMs) {
      last = await migrationsOf(id);
      if (last[0]?.status === status) {
        return last[0];
      }
      await sleep(50);
    }
    throw new Error(
      `migration of ${id} not ${status}: ${JSON.stringify(last)}\n${cloud.problems()}`,
    );
  };
  const actionsOf = async (id: string) =>
    (
      (await cloud.api.get(`/v2.1/servers/${id}/os-instance-actions`)).body
        .instanceActions as Array<{
        action: string;
        request_id: string;
        message: string | null;
      }>
    ).map((a) => a.action);
  const eventsOf = async (id: string, action: string) => {
    const actions = (await cloud.api.get(`/v2.1/servers/${id}/os-instance-actions`)).body
      .instanceActions as Array<{ action: string; request_id: string }>;
    const found = actions.find((a) => a.action === action);
    const res = await cloud.api.get(
      `/v2.1/servers/${id}/os-instance-actions/${found?.request_id}`,
      {
        version: '2.62',
      },
    );
    return res.body.instanceAction.events as Array<{ event: string; result: string; host: string }>;
  };

  it('resizes to another host (VERIFY_RESIZE), placement split between migration and instance; confirm frees the source', async () => {
    const id = await boot('resize-confirm');
    const source = await hostOf(id);
    const before = await usageOf(source);
    expect(await allocationsOf(id)).toEqual({ [source]: small });

    expect((await act(id, { resize: { flavorRef: 'mv-big' } })).status).toBe(202);
    const resized = await idle(id, 'VERIFY_RESIZE');
    const dest = resized['OS-EXT-SRV-ATTR:host'] as string;
    expect(dest).not.toBe(source);
    expect(resized['flavor']).toMatchObject({ id: 'mv-big' });

    const [migration] = await migrationsOf(id);
    expect(migration).toMatchObject({
      status: 'finished',
      migration_type: 'resize',
      source_compute: source,
      dest_compute: dest,
      instance_uuid: id,
      project_id: 'demo',
    });
    // The source's allocation is the migration's (old flavor), the destination's the instance's.
    expect(await allocationsOf(migration['uuid'])).toEqual({ [source]: small });
    expect(await allocationsOf(id)).toEqual({ [dest]: big });
    expect(await usageOf(source)).toEqual(before);
    // The hypervisors' usage counts the move as placement does, on both hosts.
    await hypervisorAgrees(source);
    await hypervisorAgrees(dest);

    expect((await act(id, { confirmResize: null })).status).toBe(204);
    const confirmed = await idle(id, 'ACTIVE');
    expect(confirmed['OS-EXT-SRV-ATTR:host']).toBe(dest);
    expect((await waitForMigration(id, 'confirmed'))['uuid']).toBe(migration['uuid']);
    expect(await allocationsOf(migration['uuid'])).toEqual({});
    expect(await allocationsOf(id)).toEqual({ [dest]: big });
    expect(await usageOf(source)).toEqual(minus(before, small));
    await hypervisorAgrees(source);
    // Later moves and checks schedule with the flavor the server now has.
    const [spec] = await query<{ spec: string }>(
      apiDb(),
      'SELECT spec FROM request_specs WHERE instance_uuid = ?',
      [id],
    );
    expect((JSON.parse(spec.spec) as { flavor: { flavorid: string } }).flavor.flavorid).toBe(
      'mv-big',
    );

    expect(await actionsOf(id)).toEqual(expect.arrayContaining(['resize', 'confirmResize']));
    const events = (await eventsOf(id, 'resize')).map((e) => `${e.event}:${e.result}`);
    expect(events).toEqual(
      expect.arrayContaining([
        'conductor_migrate_server:Success',
        'compute_resize_instance:Success',
        'compute_finish_resize:Success',
      ]),
    );
    // Confirmed, the server cannot be confirmed again.
    const again = await act(id, { confirmResize: null });
    expect(again.status).toBe(409);
  });

  it('reverts a resize: back on the source with the old flavor, the destination freed', async () => {
    const id = await boot('resize-revert');
    const source = await hostOf(id);
    expect((await act(id, { resize: { flavorRef: 'mv-big' } })).status).toBe(202);
    const resized = await idle(id, 'VERIFY_RESIZE');
    const dest = resized['OS-EXT-SRV-ATTR:host'] as string;
    const destBefore = minus(await usageOf(dest), big);

    expect((await act(id, { revertResize: null })).status).toBe(202);
    const reverted = await idle(id, 'ACTIVE');
    expect(reverted['OS-EXT-SRV-ATTR:host']).toBe(source);
    expect(reverted['flavor']).toMatchObject({ id: 'mv-small' });
    const migration = await waitForMigration(id, 'reverted');
    expect(await allocationsOf(migration['uuid'])).toEqual({});
    expect(await allocationsOf(id)).toEqual({ [source]: small });
    expect(await usageOf(dest)).toEqual(destBefore);
    expect(await actionsOf(id)).toEqual(expect.arrayContaining(['resize', 'revertResize']));
    expect((await act(id, { revertResize: null })).status).toBe(409);
  });

  it('deleting a server waiting in VERIFY_RESIZE frees both hosts', async () => {
    const id = await boot('delete-resized');
    expect((await act(id, { resize: { flavorRef: 'mv-big' } })).status).toBe(202);
    await idle(id, 'VERIFY_RESIZE');
    const [migration] = await migrationsOf(id);
    expect((await cloud.api.delete(`/v2.1/servers/${id}`, member)).status).toBe(204);
    await cloud.waitForGone(id);
    const started = Date.now();
    while (
      Date.now() - started < 15_000 &&
      Object.keys(await allocationsOf(migration['uuid'])).length > 0
    ) {
      await sleep(50);
    }
    expect(await allocationsOf(migration['uuid'])).toEqual({});
    expect(await allocationsOf(id)).toEqual({});
    const [row] = await query<{ status: string }>(
      cellDb(),
      'SELECT status FROM migrations WHERE uuid = ?',
      [migration['uuid']],
    );
    expect(row?.status).toBe('confirmed');
  });

  it("refuses bad resizes with Nova's 400s and 409s, changing nothing", async () => {
    const id = await boot('resize-refused');
    const same = await act(id, { resize: { flavorRef: 'mv-small' } });
    expect(same.body).toEqual({
      badRequest: { code: 400, message: 'When resizing, instances must change flavor!' },
    });
    const unknown = await act(id, { resize: { flavorRef: 'no-such-flavor' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.badRequest.message).toBe('Flavor no-such-flavor could not be found.');
    const zero = await act(id, { resize: { flavorRef: 'mv-nodisk' } });
    expect(zero.body.badRequest.message).toBe(
      'Server disk was unable to be resized because: Resize to zero disk flavor is not allowed.',
    );
    expect((await act(id, { confirmResize: null })).status).toBe(409);
    // Migrate is for managers and admins; to a host only for admins.
    expect((await act(id, { migrate: null })).status).toBe(403);
    const sameHost = await act(id, { migrate: { host: await hostOf(id) } }, '2.56', 'admin');
    expect(sameHost.body.badRequest.message).toBe(
      'Cannot migrate to the host where the server exists.',
    );
    const nowhere = await act(id, { migrate: { host: 'nowhere' } }, '2.56', 'admin');
    expect(nowhere.body.badRequest.message).toBe('Compute host nowhere could not be found.');
    expect((await act(id, { migrate: { host: hosts[0] } }, '2.56', 'manager')).status).toBe(403);

    expect((await act(id, { pause: null })).status).toBe(202);
    await idle(id, 'PAUSED');
    const paused = await act(id, { resize: { flavorRef: 'mv-big' } });
    expect(paused.body).toEqual({
      conflictingRequest: {
        code: 409,
        message: `Cannot 'resize' instance ${id} while it is in vm_state paused`,
      },
    });
    expect((await cloud.api.get(`/v2.1/servers/${id}`)).body.server).toMatchObject({
      status: 'PAUSED',
      flavor: { id: 'mv-small' },
    });
    expect(await migrationsOf(id)).toEqual([]);
  });

  it('of two racing moves of one server, one gets 409', async () => {
    const id = await boot('race');
    const answers = await Promise.all([
      act(id, { resize: { flavorRef: 'mv-big' } }),
      act(id, { migrate: null }, '2.1', 'admin'),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    const lost = answers.find((a) => a.status === 409)!;
    expect(lost.body.conflictingRequest.message).toMatch(
      new RegExp(`^Cannot '(resize|migrate)' instance ${id} while it is in task_state`),
    );
    await idle(id, 'VERIFY_RESIZE');
    expect(await migrationsOf(id)).toHaveLength(1);
    // A server waiting for its confirmation moves nowhere else.
    expect((await act(id, { migrate: null }, '2.1', 'admin')).status).toBe(409);
    expect((await act(id, { confirmResize: null })).status).toBe(204);
    await idle(id, 'ACTIVE');
  });

  it('cold-migrates (admin, to a named host from 2.56) and confirms', async () => {
    const id = await boot('cold');
    const source = await hostOf(id);
    const target = hosts.find((h) => h !== source)!;
    expect((await act(id, { migrate: { host: target } }, '2.56', 'admin')).status).toBe(202);
    const moved = await idle(id, 'VERIFY_RESIZE');
    expect(moved['OS-EXT-SRV-ATTR:host']).toBe(target);
    expect(moved['flavor']).toMatchObject({ id: 'mv-small' });
    const [migration] = await migrationsOf(id);
    expect(migration).toMatchObject({ migration_type: 'migration', status: 'finished' });
    expect(await allocationsOf(migration['uuid'])).toEqual({ [source]: small });
    expect(await allocationsOf(id)).toEqual({ [target]: small });
    expect((await act(id, { confirmResize: null })).status).toBe(204);
    await idle(id, 'ACTIVE');
    expect(await allocationsOf(migration['uuid'])).toEqual({});
    expect(await actionsOf(id)).toEqual(expect.arrayContaining(['migrate', 'confirmResize']));
  });

  it('a stopped server migrates and stays stopped; a manager may migrate without a host', async () => {
    const id = await boot('cold-stopped');
    expect((await act(id, { 'os-stop': null })).status).toBe(202);
    await idle(id, 'SHUTOFF');
    expect((await act(id, { migrate: null }, '2.1', 'manager')).status).toBe(202);
    const moved = await idle(id, 'VERIFY_RESIZE');
    expect(moved['OS-EXT-STS:power_state']).toBe(4);
    expect((await act(id, { confirmResize: null })).status).toBe(204);
    await idle(id, 'SHUTOFF');
  });

  it('honours anti-affinity: a member never migrates next to another one', async () => {
    const group = await cloud.api.post(
      '/v2.1/os-server-groups',
      { server_group: { name: 'apart', policies: ['anti-affinity'] } },
      member,
    );
    expect(group.status).toBe(200);
    const hint = { 'os:scheduler_hints': { group: group.body.server_group.id } };
    const boot2 = async (name: string) => {
      const res = await cloud.api.post(
        '/v2.1/servers',
        { server: { name, imageRef, flavorRef: 'mv-small' }, ...hint },
        member,
      );
      expect(res.status).toBe(202);
      return res.body.server.id as string;
    };
    // One after the other: a build does not see a member still being scheduled.
    const a = await boot2('apart-a');
    await idle(a, 'ACTIVE');
    const b = await boot2('apart-b');
    await idle(b, 'ACTIVE');
    const [hostA, hostB] = [await hostOf(a), await hostOf(b)];
    expect(hostA).not.toBe(hostB);
    const third = hosts.find((h) => h !== hostA && h !== hostB)!;
    expect((await act(a, { migrate: null }, '2.1', 'admin')).status).toBe(202);
    expect((await idle(a, 'VERIFY_RESIZE'))['OS-EXT-SRV-ATTR:host']).toBe(third);
    expect((await act(a, { revertResize: null })).status).toBe(202);
    await idle(a, 'ACTIVE');
    // Asked for the other member's host: the scheduler refuses, nothing is held.
    const refused = await act(a, { migrate: { host: hostB } }, '2.56', 'admin');
    expect(refused.status).toBe(400);
    expect(refused.body.badRequest.message).toMatch(/^No valid host was found/);
    expect((await idle(a, 'ACTIVE'))['OS-EXT-SRV-ATTR:host']).toBe(hostA);
    expect((await migrationsOf(a))[0]).toMatchObject({ status: 'error' });
    expect(await allocationsOf((await migrationsOf(a))[0]['uuid'])).toEqual({});
    expect(await allocationsOf(a)).toEqual({ [hostA]: small });
  });

  it('rolls back a resize that fails on the source: ACTIVE there, migration error, nothing leaked', async () => {
    const id = await boot('fail-migrate-1');
    const source = await hostOf(id);
    const usage = Object.fromEntries(
      await Promise.all(hosts.map(async (h) => [h, await usageOf(h)])),
    );
    expect((await act(id, { resize: { flavorRef: 'mv-big' } })).status).toBe(202);
    const migration = await waitForMigration(id, 'error');
    const back = await idle(id, 'ACTIVE');
    expect(back['OS-EXT-SRV-ATTR:host']).toBe(source);
    expect(back['flavor']).toMatchObject({ id: 'mv-small' });
    expect(back['OS-EXT-STS:power_state']).toBe(1);
    expect(await allocationsOf(migration['uuid'])).toEqual({});
    expect(await allocationsOf(id)).toEqual({ [source]: small });
    for (const h of hosts) {
      expect(await usageOf(h)).toEqual(usage[h]);
    }
    const events = await eventsOf(id, 'resize');
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          event: 'compute_resize_instance',
          result: 'Error',
          host: source,
        }),
      ]),
    );
  });

  it('rolls back a migration that fails on the destination: the source takes its guest back', async () => {
    const id = await boot('fail-finish-1');
    const source = await hostOf(id);
    expect((await act(id, { migrate: null }, '2.1', 'admin')).status).toBe(202);
    const migration = await waitForMigration(id, 'error');
    const back = await idle(id, 'ACTIVE');
    expect(back['OS-EXT-SRV-ATTR:host']).toBe(source);
    expect(back['OS-EXT-STS:power_state']).toBe(1);
    expect(await allocationsOf(migration['uuid'])).toEqual({});
    expect(await allocationsOf(id)).toEqual({ [source]: small });
    const events = (await eventsOf(id, 'migrate')).map((e) => `${e.event}:${e.result}`);
    expect(events).toEqual(
      expect.arrayContaining([
        'compute_finish_resize:Error',
        'compute_finish_revert_resize:Success',
      ]),
    );
    // The guest is really back: it still answers for its console.
    const console = await act(id, { 'os-getConsoleOutput': {} });
    expect(console.status).toBe(200);
  });

  it('a root disk cannot shrink: the host refuses and the resize is undone', async () => {
    const id = await boot('shrink', {}, 'mv-big');
    const source = await hostOf(id);
    expect((await act(id, { resize: { flavorRef: 'mv-small' } })).status).toBe(202);
    await waitForMigration(id, 'error');
    const back = await idle(id, 'ACTIVE');
    expect(back['OS-EXT-SRV-ATTR:host']).toBe(source);
    expect(back['flavor']).toMatchObject({ id: 'mv-big' });
    expect(await allocationsOf(id)).toEqual({ [source]: big });
    const events = await eventsOf(id, 'resize');
    expect(events.find((e) => e.event === 'compute_resize_instance')).toMatchObject({
      result: 'Error',
    });
  });

  it('confirms a resize left waiting past resize_confirm_window', async () => {
    const id = await boot('auto-confirm');
    expect((await act(id, { resize: { flavorRef: 'mv-big' } })).status).toBe(202);
    await idle(id, 'VERIFY_RESIZE');
    const [migration] = await migrationsOf(id);
    // As if the window (an hour) had passed: the cell conductor's next round confirms it.
    await query(
      cellDb(),
      'UPDATE migrations SET updated_at = DATE_SUB(updated_at, INTERVAL 2 HOUR) WHERE uuid = ?',
      [migration['uuid']],
    );
    await idle(id, 'ACTIVE');
    await waitForMigration(id, 'confirmed');
    expect(await allocationsOf(migration['uuid'])).toEqual({});
    expect(await actionsOf(id)).toContain('confirmResize');
  });

  it('live-migrates to a named host (2.30) with block_migration auto; placement follows', async () => {
    const id = await boot('live');
    const source = await hostOf(id);
    const target = hosts.find((h) => h !== source)!;
    const res = await act(
      id,
      { 'os-migrateLive': { host: target, block_migration: 'auto', force: false } },
      '2.30',
      'admin',
    );
    expect(res.status).toBe(202);
    const migration = await waitForMigration(id, 'completed');
    const moved = await idle(id, 'ACTIVE');
    expect(moved['OS-EXT-SRV-ATTR:host']).toBe(target);
    expect(migration).toMatchObject({ migration_type: 'live-migration', source_compute: source });
    expect(await allocationsOf(migration['uuid'])).toEqual({});
    expect(await allocationsOf(id)).toEqual({ [target]: small });
    expect(await actionsOf(id)).toContain('live-migration');
    // Live migration is for running (or paused) servers.
    expect((await act(id, { 'os-stop': null })).status).toBe(202);
    await idle(id, 'SHUTOFF');
    const stopped = await act(
      id,
      { 'os-migrateLive': { host: null, block_migration: 'auto' } },
      '2.25',
      'admin',
    );
    expect(stopped.status).toBe(409);
    expect(stopped.body.conflictingRequest.message).toBe(
      `Cannot 'os-migrateLive' instance ${id} while it is in vm_state stopped`,
    );
    const forceless = await act(
      id,
      { 'os-migrateLive': { host: null, block_migration: 'auto', force: true } },
      '2.30',
      'admin',
    );
    expect(forceless.body.badRequest.message).toBe("Can't force to a non-provided destination");
  });

  it('shows a running live migration, force-completes one and aborts another', async () => {
    const id = await boot('hold-live-1');
    const source = await hostOf(id);
    expect(
      (
        await act(
          id,
          { 'os-migrateLive': { host: null, block_migration: 'auto' } },
          '2.25',
          'admin',
        )
      ).status,
    ).toBe(202);
    const running = await waitForMigration(id, 'running');
    const dest = running['dest_compute'] as string;
    expect(dest).not.toBe(source);
    // Both hosts are held while it runs: the source by the migration, the destination by the instance.
    expect(await allocationsOf(running['uuid'])).toEqual({ [source]: small });
    expect(await allocationsOf(id)).toEqual({ [dest]: small });
    const list = await cloud.api.get(`/v2.1/servers/${id}/migrations`, { version: '2.80' });
    expect(list.status).toBe(200);
    expect(list.body.migrations).toEqual([
      expect.objectContaining({
        id: running['id'],
        uuid: running['uuid'],
        server_uuid: id,
        status: 'running',
        source_compute: source,
        dest_compute: dest,
        memory_total_bytes: null,
        project_id: 'demo',
      }),
    ]);
    const shown = await cloud.api.get(`/v2.1/servers/${id}/migrations/${running['id']}`, {
      version: '2.23',
    });
    expect(shown.body.migration).toMatchObject({ id: running['id'], status: 'running' });
    expect(
      (await cloud.api.get(`/v2.1/servers/${id}/migrations/${running['id']}`, { version: '2.22' }))
        .status,
    ).toBe(404);
    // os-migrations links an in-progress live migration to its resource (2.23).
    const listed = (await migrationsOf(id))[0];
    expect(listed['links'][0].href).toMatch(`/servers/${id}/migrations/${running['id']}`);
    // A manager may act on the migration, not look at it in detail.
    expect(
      (
        await cloud.api.get(`/v2.1/servers/${id}/migrations/${running['id']}`, {
          as: 'manager',
          version: '2.23',
        })
      ).status,
    ).toBe(403);
    const forced = await cloud.api.post(
      `/v2.1/servers/${id}/migrations/${running['id']}/action`,
      { force_complete: null },
      { version: '2.22' },
    );
    expect(forced.status).toBe(202);
    await waitForMigration(id, 'completed');
    expect((await idle(id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host']).toBe(dest);
    expect(await allocationsOf(id)).toEqual({ [dest]: small });
    expect(await actionsOf(id)).toContain('live_migration_force_complete');
    const gone = await cloud.api.get(`/v2.1/servers/${id}/migrations/${running['id']}`, {
      version: '2.23',
    });
    expect(gone.body.itemNotFound.message).toBe(
      `Live migration ${running['id']} for server ${id} is not in progress.`,
    );
    expect(
      (await cloud.api.get(`/v2.1/servers/${id}/migrations`, { version: '2.23' })).body,
    ).toEqual({
      migrations: [],
    });

    const other = await boot('hold-live-2');
    const otherSource = await hostOf(other);
    expect(
      (
        await act(
          other,
          { 'os-migrateLive': { host: null, block_migration: false } },
          '2.25',
          'admin',
        )
      ).status,
    ).toBe(202);
    const second = await waitForMigration(other, 'running');
    const stillRunning = await cloud.api.post(
      `/v2.1/servers/${other}/migrations/${second['id']}/action`,
      { force_complete: {} },
      { version: '2.22' },
    );
    expect(stillRunning.status).toBe(400);
    expect(
      (
        await cloud.api.delete(`/v2.1/servers/${other}/migrations/${second['id']}`, {
          version: '2.24',
        })
      ).status,
    ).toBe(202);
    await waitForMigration(other, 'cancelled');
    expect((await idle(other, 'ACTIVE'))['OS-EXT-SRV-ATTR:host']).toBe(otherSource);
    expect(await allocationsOf(second['uuid'])).toEqual({});
    expect(await allocationsOf(other)).toEqual({ [otherSource]: small });
    expect(await actionsOf(other)).toContain('live_migration_cancel');
    const notRunning = await cloud.api.delete(`/v2.1/servers/${other}/migrations/${second['id']}`, {
      version: '2.24',
    });
    expect(notRunning.status).toBe(409); // the server is no longer migrating
  });

  it('rolls back a live migration that fails: the server stays where it was', async () => {
    const id = await boot('fail-live-1');
    const source = await hostOf(id);
    expect(
      (
        await act(
          id,
          { 'os-migrateLive': { host: null, block_migration: 'auto' } },
          '2.25',
          'admin',
        )
      ).status,
    ).toBe(202);
    const migration = await waitForMigration(id, 'error');
    expect((await idle(id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host']).toBe(source);
    expect(await allocationsOf(migration['uuid'])).toEqual({});
    expect(await allocationsOf(id)).toEqual({ [source]: small });
  });

  it('resizes onto its own host only with allow_resize_to_same_host', async () => {
    const id = await boot('same-host');
    const source = await hostOf(id);
    const others = hosts.filter((h) => h !== source);
    const disable = (host: string, status: 'disable' | 'enable') =>
      cloud.api.put(`/v2.1/os-services/${status}`, { host, binary: 'nova-compute' });
    for (const h of others) {
      expect((await disable(h, 'disable')).status).toBe(200);
    }
    const sameHostApi = await ApiClient.start({
      ...cloud.sections,
      DEFAULT: { ...cloud.sections['DEFAULT'], allow_resize_to_same_host: 'true' },
    });
    try {
      // Without the option the only enabled host is the source: no valid host.
      const refused = await act(id, { resize: { flavorRef: 'mv-big' } });
      expect(refused.status).toBe(400);
      expect(refused.body.badRequest.message).toMatch(/^No valid host was found/);
      await idle(id, 'ACTIVE');
      // A disabled host named by an admin is refused by the scheduler too.
      const disabled = await act(id, { migrate: { host: others[0] } }, '2.56', 'admin');
      expect(disabled.body.badRequest.message).toMatch(/^No valid host was found/);
      await idle(id, 'ACTIVE');
      expect(await allocationsOf(id)).toEqual({ [source]: small });
      const res = await sameHostApi.post(
        `/v2.1/servers/${id}/action`,
        { resize: { flavorRef: 'mv-big' } },
        member,
      );
      expect(res.status).toBe(202);
      const resized = await idle(id, 'VERIFY_RESIZE');
      expect(resized['OS-EXT-SRV-ATTR:host']).toBe(source);
      const [migration] = await migrationsOf(id);
      // Both flavors on the one host until the confirm.
      expect(await allocationsOf(migration['uuid'])).toEqual({ [source]: small });
      expect(await allocationsOf(id)).toEqual({ [source]: big });
      expect((await act(id, { revertResize: null })).status).toBe(202);
      const reverted = await idle(id, 'ACTIVE');
      expect(reverted['flavor']).toMatchObject({ id: 'mv-small' });
      expect(await allocationsOf(id)).toEqual({ [source]: small });
    } finally {
      await sameHostApi.close();
      for (const h of others) {
        await disable(h, 'enable');
      }
    }
  });

  it('checks the quota for the flavor delta', async () => {
    const id = await boot('quota');
    const limit = await cloud.api.put('/v2.1/os-quota-sets/demo', {
      quota_set: { cores: 1, force: true },
    });
    expect(limit.status).toBe(200);
    try {
      const over = await act(id, { resize: { flavorRef: 'mv-big' } });
      expect(over.status).toBe(403);
      expect(over.body.forbidden.message).toMatch(/^Quota exceeded for cores: Requested 1/);
      expect(await migrationsOf(id)).toEqual([]);
    } finally {
      await cloud.api.put('/v2.1/os-quota-sets/demo', { quota_set: { cores: -1 } });
    }
  });

  it('a config drive is built again where the server moves; its console tokens go with the old host', async () => {
    const id = await boot('drive-mover', { config_drive: true });
    const source = await hostOf(id);
    // The fake computes of this test share one state path, so one drive file at a time.
    const drive = join(cloud.deployment.dir, 'instances', id, 'disk.config');
    const aside = join(cloud.deployment.dir, 'instances', `${id}_resize`, 'disk.config');
    const flavorOnDrive = () =>
      (
        JSON.parse(
          execFileSync('isoinfo', [
            '-R',
            '-i',
            drive,
            '-x',
            '/ec2/latest/meta-data.json',
          ]).toString(),
        ) as Record<string, unknown>
      )['instance-type'];
    const hasDrive = async () =>
      (await cloud.api.get(`/v2.1/servers/${id}/diagnostics`, { version: '2.48' })).body[
        'config_drive'
      ] as boolean;
    expect(flavorOnDrive()).toBe('mv-small');
    const consoleRes = await cloud.api.post(
      `/v2.1/servers/${id}/remote-consoles`,
      { remote_console: { protocol: 'vnc', type: 'novnc' } },
      { ...member, version: '2.6' },
    );
    expect(consoleRes.status).toBe(200);
    const token = /token%3D([^&]+)/.exec(consoleRes.body.remote_console.url as string)![1];
    const tokenStatus = async () =>
      (await cloud.api.get(`/v2.1/os-console-auth-tokens/${token}`, { version: '2.31' })).status;
    expect(await tokenStatus()).toBe(200);

    // Resized: the destination's drive tells the new flavor, the source's waits aside.
    expect((await act(id, { resize: { flavorRef: 'mv-big' } })).status).toBe(202);
    const resized = await idle(id, 'VERIFY_RESIZE');
    expect(resized['OS-EXT-SRV-ATTR:host']).not.toBe(source);
    expect(await hasDrive()).toBe(true);
    expect(flavorOnDrive()).toBe('mv-big');
    expect(existsSync(aside)).toBe(true);
    expect(await tokenStatus()).toBe(404);
    // Reverted: the source's own drive is back in place.
    expect((await act(id, { revertResize: null })).status).toBe(202);
    expect((await idle(id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host']).toBe(source);
    expect(await hasDrive()).toBe(true);
    expect(flavorOnDrive()).toBe('mv-small');
    expect(existsSync(aside)).toBe(false);

    // Confirmed: the destination's drive stays, the set-aside one goes.
    expect((await act(id, { resize: { flavorRef: 'mv-big' } })).status).toBe(202);
    await idle(id, 'VERIFY_RESIZE');
    expect((await act(id, { confirmResize: null })).status).toBe(204);
    await waitForMigration(id, 'confirmed');
    await idle(id, 'ACTIVE');
    expect(await hasDrive()).toBe(true);
    expect(flavorOnDrive()).toBe('mv-big');
    expect(existsSync(aside)).toBe(false);

    // Live-migrated: the drive arrives with the guest.
    const from = await hostOf(id);
    const live = await act(
      id,
      { 'os-migrateLive': { host: null, block_migration: 'auto' } },
      '2.25',
      'admin',
    );
    expect(live.status).toBe(202);
    await waitForMigration(id, 'completed');
    await idle(id, 'ACTIVE');
    expect(await hostOf(id)).not.toBe(from);
    expect(await hasDrive()).toBe(true);
    expect(flavorOnDrive()).toBe('mv-big');
  });

  it('a shelved-offloaded server cannot move; unshelved, it moves with placement as before', async () => {
    const id = await boot('shelved-mover');
    expect((await act(id, { shelve: null })).status).toBe(202);
    await idle(id, 'SHELVED_OFFLOADED');
    expect(await allocationsOf(id)).toEqual({});
    for (const [body, version, as] of [
      [{ resize: { flavorRef: 'mv-big' } }, '2.1', 'member'],
      [{ migrate: null }, '2.1', 'admin'],
      [{ 'os-migrateLive': { host: null, block_migration: 'auto' } }, '2.25', 'admin'],
      [{ evacuate: {} }, '2.14', 'admin'],
    ] as const) {
      const res = await act(id, body, version, as);
      expect(res.status === 409 ? 409 : res.text).toBe(409);
      expect(res.body.conflictingRequest.message).toMatch(
        /while it is in vm_state shelved_offloaded/,
      );
    }
    expect(await migrationsOf(id)).toEqual([]);

    // Unshelved (scheduled in its cell), then cold-migrated: the usual split, then confirmed.
    expect((await act(id, { unshelve: null })).status).toBe(202);
    await idle(id, 'ACTIVE');
    const source = await hostOf(id);
    expect(await allocationsOf(id)).toEqual({ [source]: small });
    expect((await act(id, { migrate: null }, '2.1', 'admin')).status).toBe(202);
    const migrated = await idle(id, 'VERIFY_RESIZE');
    const dest = migrated['OS-EXT-SRV-ATTR:host'] as string;
    expect(dest).not.toBe(source);
    const [migration] = await migrationsOf(id);
    expect(await allocationsOf(migration['uuid'])).toEqual({ [source]: small });
    expect(await allocationsOf(id)).toEqual({ [dest]: small });
    expect((await act(id, { confirmResize: null })).status).toBe(204);
    await idle(id, 'ACTIVE');
    expect(await allocationsOf(id)).toEqual({ [dest]: small });
    // A shelve after the move snapshots and offloads from the new host.
    expect((await act(id, { shelve: null })).status).toBe(202);
    await idle(id, 'SHELVED_OFFLOADED');
    expect(await allocationsOf(id)).toEqual({});
  });

  it('evacuates a server of a forced-down host; the host cleans up when it comes back', async () => {
    const id = await boot('evacuee');
    const source = await hostOf(id);
    const up = await act(id, { evacuate: {} }, '2.14', 'admin');
    expect(up.body).toEqual({
      badRequest: { code: 400, message: `Compute service of ${source} is still in use.` },
    });
    expect((await act(id, { evacuate: {} }, '2.14', 'member')).status).toBe(403);
    const forceDown = (down: boolean) =>
      cloud.api.put(
        '/v2.1/os-services/force-down',
        { host: source, binary: 'nova-compute', forced_down: down },
        { version: '2.11' },
      );
    expect((await forceDown(true)).status).toBe(200);
    try {
      const sameHost = await act(id, { evacuate: { host: source } }, '2.29', 'admin');
      expect(sameHost.body.badRequest.message).toBe("The target host can't be the same one.");
      const nowhere = await act(id, { evacuate: { host: 'nowhere' } }, '2.29', 'admin');
      expect(nowhere.status).toBe(404);
      const legacy = await act(
        id,
        { evacuate: { onSharedStorage: true, adminPass: 'x' } },
        '2.13',
        'admin',
      );
      expect(legacy.body.badRequest.message).toBe(
        "admin password can't be changed on existing disk",
      );

      const res = await act(id, { evacuate: { onSharedStorage: false } }, '2.13', 'admin');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ adminPass: expect.any(String) });
      const migration = await waitForMigration(id, 'done');
      const evacuated = await idle(id, 'ACTIVE');
      const dest = evacuated['OS-EXT-SRV-ATTR:host'] as string;
      expect(dest).not.toBe(source);
      expect(migration).toMatchObject({ migration_type: 'evacuation', source_compute: source });
      // The dead host's allocation stays with the migration until the host cleans up.
      expect(await allocationsOf(migration['uuid'])).toEqual({ [source]: small });
      expect(await allocationsOf(id)).toEqual({ [dest]: small });
      expect(await actionsOf(id)).toContain('evacuate');

      // The host comes back: on start it drops the evacuated guest and its allocation.
      const old = cloud.computes.get(source)!;
      await old.stop();
      const restarted = cloud.startCompute('cell1', source);
      await restarted.waitFor((l) => l.msg === 'destroyed an evacuated instance', 30_000);
      await waitForMigration(id, 'completed');
      expect(await allocationsOf(migration['uuid'])).toEqual({});
      expect(await allocationsOf(id)).toEqual({ [dest]: small });
    } finally {
      await forceDown(false);
    }
  });
});
