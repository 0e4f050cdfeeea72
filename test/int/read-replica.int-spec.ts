import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { ApiClient, type ApiResponse } from '../support/api-client';
import type { Sections } from '../support/config';
import { manageOk } from '../support/manage';
import { ReplicatedMariadb } from '../support/mariadb-replication';

/**
 * `[database]`/`[api_database] slave_connection` on real MariaDB replication: two
 * mariadbd of the test's own, the replica read_only and reached as a user that
 * cannot bypass it. Pausing the replica's SQL thread makes it lag: lists then miss
 * what shows by id and the write path see, and catch up once it applies again.
 */
describe('read replica (slave_connection) on MariaDB replication', () => {
  let repl: ReplicatedMariadb;
  let dir: string;
  /** With slave_connection on both sections. */
  let api: ApiClient;
  /** The same deployment without slave_connection. */
  let plain: ApiClient;
  let cell1Id: number;
  const member = { as: 'member' as const };
  const admin = { as: 'admin' as const };

  /** A server of project demo in cell1, written straight to the primary. */
  const seedServer = async (name: string): Promise<string> => {
    const uuid = randomUUID();
    const conn = await repl.primary.admin();
    try {
      await conn.query(
        `INSERT INTO nova_cell1.instances (uuid, display_name, project_id, user_id, vm_state, power_state, created_at, deleted)
         VALUES (?, ?, 'demo', 'demo', 'active', 1, NOW(), 0)`,
        [uuid, name],
      );
      await conn.query(
        `INSERT INTO nova_api.instance_mappings (instance_uuid, cell_id, project_id, user_id, queued_for_delete, created_at)
         VALUES (?, ?, 'demo', 'demo', 0, NOW())`,
        [uuid, cell1Id],
      );
    } finally {
      await conn.end();
    }
    return uuid;
  };

  /** The body of a 2xx answer; anything else fails with the fault text. */
  const ok = <T>(res: ApiResponse<T>): T => {
    if (res.status >= 300) {
      throw new Error(`${res.status}: ${res.text}`);
    }
    return res.body;
  };
  const listed = {
    servers: async (client: ApiClient) =>
      (
        ok(await client.get('/v2.1/servers/detail', member)).servers as Array<{
          id: string;
          name: string;
        }>
      ).map((s) => `${s.id}=${s.name}`),
    flavors: async (client: ApiClient) =>
      (ok(await client.get('/v2.1/flavors', admin)).flavors as Array<{ id: string }>).map(
        (f) => f.id,
      ),
    keypairs: async (client: ApiClient) =>
      (
        ok(await client.get('/v2.1/os-keypairs', member)).keypairs as Array<{
          keypair: { name: string };
        }>
      ).map((k) => k.keypair.name),
    aggregates: async (client: ApiClient) =>
      (
        ok(await client.get('/v2.1/os-aggregates', admin)).aggregates as Array<{ name: string }>
      ).map((a) => a.name),
    groups: async (client: ApiClient) =>
      (
        ok(await client.get('/v2.1/os-server-groups', member)).server_groups as Array<{
          name: string;
        }>
      ).map((g) => g.name),
  };

  beforeAll(async () => {
    repl = await ReplicatedMariadb.start();
    dir = mkdtempSync(join(tmpdir(), 'nova-replica-'));
    const sections: Sections = {
      DEFAULT: { host: 'test-controller', transport_url: 'inproc://replica_api', state_path: dir },
      api_database: { connection: repl.url('primary', 'nova_api') },
      database: { connection: repl.url('primary', 'nova_cell0') },
      cache: { enabled: 'false', backend: 'dogpile.cache.memory' },
      cells: { refresh_interval: '0.2', connect_timeout: '2' },
    };
    await manageOk(sections, 'api_db', 'sync');
    await manageOk(
      sections,
      'cell_v2',
      'map_cell0',
      '--database_connection',
      repl.url('primary', 'nova_cell0'),
    );
    // A template taking its host from the local URL: the API fills it from
    // [database] connection for the primary and from slave_connection for the replica.
    await manageOk(
      sections,
      'cell_v2',
      'create_cell',
      '--name',
      'cell1',
      '--database_connection',
      '{scheme}://{username}:{password}@{hostname}:{port}/nova_cell1',
      '--transport-url',
      'inproc://replica_cell1',
    );
    await manageOk(sections, 'db', 'sync');
    const [cell] = (await repl.primary.sql(
      "SELECT id FROM nova_api.cell_mappings WHERE name = 'cell1'",
    )) as Array<{ id: number }>;
    cell1Id = Number(cell?.id);
    await repl.caughtUp();
    api = await ApiClient.start({
      ...sections,
      api_database: {
        ...sections['api_database'],
        slave_connection: repl.url('replica', 'nova_api'),
      },
      database: { ...sections['database'], slave_connection: repl.url('replica', 'nova_cell0') },
    });
    plain = await ApiClient.start(sections);
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await plain?.close();
    await repl?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a replica that refuses writes from the nova user (read_only, no bypass)', async () => {
    const conn = await createConnection({
      host: '127.0.0.1',
      port: repl.replica.port,
      user: ReplicatedMariadb.user,
      database: 'nova_api',
    });
    try {
      await expect(
        conn.query(
          "INSERT INTO key_pairs (name, user_id, fingerprint, public_key, type) VALUES ('x', 'u', 'f', 'k', 'ssh')",
        ),
      ).rejects.toMatchObject({ errno: 1290 }); // ER_OPTION_PREVENTS_STATEMENT
    } finally {
      await conn.end();
    }
  });

  it('lists read the replica: while it lags they miss what shows and writes see', async () => {
    const s1 = await seedServer('s1');
    ok(
      await api.post(
        '/v2.1/flavors',
        { flavor: { name: 'f1', id: 'f1', vcpus: 1, ram: 64, disk: 1 } },
        admin,
      ),
    );
    ok(await api.post('/v2.1/os-keypairs', { keypair: { name: 'k1' } }, member));
    await repl.caughtUp();
    expect(await listed.servers(api)).toEqual([`${s1}=s1`]);
    expect(await listed.flavors(api)).toContain('f1');

    await repl.pauseApplying();
    // Every write goes to the primary: it works although the replica is read_only.
    const s2 = await seedServer('s2');
    ok(await api.put(`/v2.1/servers/${s1}`, { server: { name: 's1-renamed' } }, member));
    ok(
      await api.post(
        '/v2.1/flavors',
        { flavor: { name: 'f2', id: 'f2', vcpus: 1, ram: 64, disk: 1 } },
        admin,
      ),
    );
    ok(
      await api.post(
        '/v2.1/flavors/f2/os-extra_specs',
        { extra_specs: { 'hw:cpu_policy': 'shared' } },
        admin,
      ),
    );
    ok(await api.post('/v2.1/os-keypairs', { keypair: { name: 'k2' } }, member));
    expect((await api.delete('/v2.1/os-keypairs/k1', member)).status).toBe(202);
    const aggregate = ok(
      await api.post('/v2.1/os-aggregates', { aggregate: { name: 'a2' } }, admin),
    ).aggregate as { id: number };
    const group = ok(
      await api.post(
        '/v2.1/os-server-groups',
        { server_group: { name: 'g2', policies: ['affinity'] } },
        member,
      ),
    ).server_group as { id: string };

    // Lists come from the lagging replica.
    expect(await listed.servers(api)).toEqual([`${s1}=s1`]);
    expect(await listed.flavors(api)).not.toContain('f2');
    expect(await listed.keypairs(api)).toEqual(['k1']);
    expect(await listed.aggregates(api)).toEqual([]);
    expect(await listed.groups(api)).toEqual([]);

    // Shows by id read the primary: read-after-write holds.
    expect(ok(await api.get(`/v2.1/servers/${s2}`, member)).server).toMatchObject({ name: 's2' });
    expect(ok(await api.get(`/v2.1/servers/${s1}`, member)).server).toMatchObject({
      name: 's1-renamed',
    });
    expect(ok(await api.get('/v2.1/flavors/f2', admin)).flavor).toMatchObject({ name: 'f2' });
    expect(ok(await api.get('/v2.1/flavors/f2/os-extra_specs', admin)).extra_specs).toEqual({
      'hw:cpu_policy': 'shared',
    });
    expect((await api.get('/v2.1/os-keypairs/k2', member)).status).toBe(200);
    expect((await api.get('/v2.1/os-keypairs/k1', member)).status).toBe(404);
    expect(ok(await api.get(`/v2.1/os-aggregates/${aggregate.id}`, admin)).aggregate).toMatchObject(
      { name: 'a2' },
    );
    expect(
      ok(await api.get(`/v2.1/os-server-groups/${group.id}`, member)).server_group,
    ).toMatchObject({ name: 'g2' });

    // Without slave_connection every read is the primary's.
    expect((await listed.servers(plain)).sort()).toEqual([`${s1}=s1-renamed`, `${s2}=s2`].sort());
    expect(await listed.flavors(plain)).toContain('f2');
    expect(await listed.keypairs(plain)).toEqual(['k2']);
    expect(await listed.aggregates(plain)).toEqual(['a2']);
    expect(await listed.groups(plain)).toEqual(['g2']);

    await repl.resumeApplying();
    expect((await listed.servers(api)).sort()).toEqual([`${s1}=s1-renamed`, `${s2}=s2`].sort());
    expect(await listed.flavors(api)).toContain('f2');
    expect(await listed.keypairs(api)).toEqual(['k2']);
    expect(await listed.aggregates(api)).toEqual(['a2']);
    expect(await listed.groups(api)).toEqual(['g2']);
  });

  it('reads the primary while the replica is down', async () => {
    await repl.replica.stop();
    const s3 = await seedServer('s3');
    ok(
      await api.post(
        '/v2.1/flavors',
        { flavor: { name: 'f3', id: 'f3', vcpus: 1, ram: 64, disk: 1 } },
        admin,
      ),
    );
    expect(await listed.flavors(api)).toContain('f3');
    expect((await listed.servers(api)).map((s) => s.split('=')[0])).toContain(s3);
  });
});
