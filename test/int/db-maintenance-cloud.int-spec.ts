import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cloud } from '../support/cloud';
import { manage } from '../support/manage';
import { query } from '../support/mysql';
import { status, statusChecks } from '../support/status';

/** The verbose archive table's rows as a map. */
function archived(out: string): Record<string, number> {
  return Object.fromEntries(
    out
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Table '))
      .map((l) => {
        const [name, n] = l
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim());
        return [name, Number(n)];
      }),
  );
}

/**
 * The data commands on servers made by the real build flow (separate processes,
 * MariaDB, RabbitMQ, Redis): nova-status on the running deployment, then a
 * server deleted through the API is archived with everything the flow wrote
 * for it, while its sibling keeps working.
 */
describe('archive, purge, online migrations and nova-status on a running cloud', () => {
  let cloud: Cloud;
  let cellDb: string;
  const imageRef = '7a1e8e1c-4a63-4d8e-9b7e-1f0d2c3b4a61';
  const flavorRef = 'dm-tiny';

  beforeAll(async () => {
    const catalog = join(mkdtempSync(join(tmpdir(), 'nova-images-')), 'images.json');
    writeFileSync(
      catalog,
      JSON.stringify([{ id: imageRef, name: 'cirros', status: 'active', architecture: 'x86_64' }]),
    );
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 1,
      extra: { glance: { local_catalog: catalog } },
    });
    cellDb = cloud.deployment.dbName('cell1');
    const flavor = await cloud.api.post('/v2.1/flavors', {
      flavor: { name: flavorRef, id: flavorRef, vcpus: 1, ram: 128, disk: 1 },
    });
    expect(flavor.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  const boot = async (name: string): Promise<string> => {
    const res = await cloud.api.post(
      '/v2.1/servers',
      {
        server: {
          name,
          imageRef,
          flavorRef,
          networks: 'auto',
          metadata: { role: name },
          tags: ['archive-me'],
        },
      },
      { as: 'member', version: '2.52' },
    );
    expect(res.status === 202 ? 202 : res.text).toBe(202);
    const id = res.body.server.id as string;
    await cloud.waitForServer(id, (s) => s.status === 'ACTIVE');
    return id;
  };

  it('archives a server deleted through the API with all its rows; its sibling is untouched', async () => {
    const [keep, drop] = [await boot('keep'), await boot('drop')];

    // The build wrote compute_id: online migrations find nothing to do.
    const ids = await query<{ compute_id: number; node: number }>(
      cellDb,
      'SELECT i.compute_id, cn.id AS node FROM instances i JOIN compute_nodes cn ON cn.host = i.host AND cn.deleted = 0',
    );
    expect(ids).toHaveLength(2);
    for (const row of ids) {
      expect(Number(row.compute_id)).toBe(Number(row.node));
    }
    const odm = await manage(cloud.sections, 'db', 'online_data_migrations');
    expect(odm.code).toBe(0);
    expect(odm.out).toContain('| populate_instance_compute_id |      0       |     0     |');

    // The running deployment passes every upgrade check.
    const healthy = await status(cloud.sections, 'upgrade', 'check');
    expect(statusChecks(healthy.out)).toEqual({
      'Cells v2': ['Success', 'None'],
      'Placement API': ['Success', 'None'],
      'Database Schemas': ['Success', 'None'],
      'Older than N-1 computes': ['Success', 'None'],
    });
    expect(healthy.code).toBe(0);

    expect((await cloud.api.delete(`/v2.1/servers/${drop}`, { as: 'member' })).status).toBe(204);
    await cloud.waitForGone(drop);

    const result = await manage(
      cloud.sections,
      'db',
      'archive_deleted_rows',
      '--all-cells',
      '--until-complete',
      '--verbose',
    );
    expect(result.code).toBe(1);
    const rows = archived(result.out);
    expect(rows).toMatchObject({
      'API_DB.instance_mappings': 1,
      // Unlike Nova, the delete itself released the request spec and group memberships.
      'API_DB.request_specs': 0,
      'API_DB.instance_group_member': 0,
      'cell1.instances': 1,
      'cell1.instance_extra': 1,
      'cell1.instance_info_caches': 1,
      'cell1.instance_metadata': 1,
      'cell1.instance_actions': 2, // create and delete
    });
    expect(rows['cell1.instance_actions_events']).toBeGreaterThan(0);
    const shadow = await query<{ uuid: string; vm_state: string }>(
      cellDb,
      'SELECT uuid, vm_state FROM shadow_instances',
    );
    expect(shadow).toEqual([{ uuid: drop, vm_state: 'deleted' }]);
    for (const table of ['instances', 'instance_extra', 'instance_actions', 'tags']) {
      const column =
        table === 'instances' ? 'uuid' : table === 'tags' ? 'resource_id' : 'instance_uuid';
      expect(await query(cellDb, `SELECT 1 FROM ${table} WHERE ${column} = ?`, [drop])).toEqual([]);
    }
    expect(
      await query(
        cloud.deployment.dbName('api'),
        'SELECT 1 FROM instance_mappings WHERE instance_uuid = ?',
        [drop],
      ),
    ).toEqual([]);

    // The API answers as for any unknown server; the sibling lives on.
    expect((await cloud.api.get(`/v2.1/servers/${drop}`, { as: 'member' })).status).toBe(404);
    const sibling = await cloud.api.get(`/v2.1/servers/${keep}`, { as: 'member', version: '2.52' });
    expect(sibling.status).toBe(200);
    expect(sibling.body.server).toMatchObject({
      status: 'ACTIVE',
      metadata: { role: 'keep' },
      tags: ['archive-me'],
    });
    const actions = await cloud.api.get(`/v2.1/servers/${keep}/os-instance-actions`, {
      as: 'member',
    });
    expect(actions.body.instanceActions.map((a: { action: string }) => a.action)).toEqual([
      'create',
    ]);
    expect(
      (await cloud.api.post(`/v2.1/servers/${keep}/action`, { 'os-stop': null }, { as: 'member' }))
        .status,
    ).toBe(202);
    await cloud.waitForServer(keep, (s) => s.status === 'SHUTOFF');

    expect((await manage(cloud.sections, 'db', 'purge', '--all', '--all-cells')).code).toBe(0);
    expect(await query(cellDb, 'SELECT 1 FROM shadow_instances')).toEqual([]);
    expect((await manage(cloud.sections, 'db', 'archive_deleted_rows', '--all-cells')).code).toBe(
      0,
    );
  }, 120_000);
});
