import { Cloud } from '../support/cloud';
import { query } from '../support/mysql';
import { ServiceProcess } from '../support/service-process';

/**
 * `nova-conductor --cell cell1 --cell cell2`: one process conducts both cells,
 * each on its own queue and database from its cell mapping (no per-cell
 * [database] or transport_url in its config), as two conductors would.
 */
describe('one conductor process for several cells (separate processes)', () => {
  let cloud: Cloud;
  const flavorRef = 'shared-tiny';
  let imageRef: string;

  beforeAll(async () => {
    cloud = await Cloud.start({
      cells: ['cell1', 'cell2'],
      computesPerCell: 1,
      sharedCellConductor: true,
      extra: { quota: { instances: '-1', cores: '-1', ram: '-1' } },
    });
    const flavor = await cloud.api.post('/v2.1/flavors', {
      flavor: { name: 'shared.tiny', id: flavorRef, vcpus: 1, ram: 64, disk: 1 },
    });
    expect(flavor.status).toBe(200);
    imageRef = (await cloud.api.get('/v2.1/images', { as: 'admin' })).body.images[0].id as string;
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  const conductor = () => cloud.roles.get('conductor-shared')!;

  it('says it is ready for both cells', async () => {
    await conductor().waitFor(
      (l) =>
        l.msg === 'nova-conductor ready' &&
        JSON.stringify(l['cells']).includes('cell1') &&
        JSON.stringify(l['cells']).includes('cell2'),
    );
  });

  it('heartbeats as a nova-conductor service in each cell', async () => {
    for (const cell of ['cell1', 'cell2']) {
      const rows = await query<{ host: string }>(
        cloud.deployment.dbName(cell),
        "SELECT host FROM services WHERE `binary` = 'nova-conductor' AND deleted = 0",
      );
      expect([cell, rows.map((r) => r.host)]).toEqual([cell, ['shared-conductor']]);
    }
  });

  it('builds and deletes a server in each cell', async () => {
    const ids: Record<string, string> = {};
    for (const cell of ['cell1', 'cell2']) {
      const res = await cloud.api.post(
        '/v2.1/servers',
        {
          server: {
            name: `on-${cell}`,
            imageRef,
            flavorRef,
            availability_zone: `nova:${cell}-c1`,
            networks: 'none',
          },
        },
        { as: 'admin', version: '2.37' },
      );
      expect(res.status).toBe(202);
      ids[cell] = res.body.server.id as string;
    }
    for (const [cell, id] of Object.entries(ids)) {
      const server = await cloud.waitForServer(id, (s) => s.status === 'ACTIVE');
      expect(server['OS-EXT-SRV-ATTR:host']).toBe(`${cell}-c1`);
      // The build's state writes went through this cell's conductor, into this cell's database.
      const rows = await query<{ vm_state: string }>(
        cloud.deployment.dbName(cell),
        'SELECT vm_state FROM instances WHERE uuid = ?',
        [id],
      );
      expect(rows).toEqual([{ vm_state: 'active' }]);
    }
    for (const id of Object.values(ids)) {
      expect((await cloud.api.delete(`/v2.1/servers/${id}`, { as: 'admin' })).status).toBe(204);
    }
    for (const id of Object.values(ids)) {
      await cloud.waitForGone(id);
    }
  });

  it('refuses a cell that is not mapped, and --super with --cell', async () => {
    const conf = ['--config-file', cloud.configFile];
    const unknown = new ServiceProcess('nova-conductor', [
      ...conf,
      '--cell',
      'cell1',
      '--cell',
      'nope',
    ]);
    expect(await unknown.exit).toBe(1);
    expect(unknown.lines.map((l) => l.msg).join('\n')).toContain(
      'no cell is named or has the uuid nope',
    );
    const both = new ServiceProcess('nova-conductor', [...conf, '--super', '--cell', 'cell1']);
    expect(await both.exit).toBe(1);
    expect(both.lines.map((l) => l.msg).join('\n')).toContain(
      '--super and --cell exclude each other',
    );
  });
});
