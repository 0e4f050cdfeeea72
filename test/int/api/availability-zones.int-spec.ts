import { ApiClient } from '../../support/api-client';
import { TestDeployment } from '../../support/deployment';
import { HostSeed } from '../../support/host-seed';

const SAMPLE_TIME = '2026-11-21T20:07:17.000000';
const LONG_AGO = new Date(Date.now() - 24 * 3600_000);
const UP = { available: true, active: true, updated_at: SAMPLE_TIME };

/** /os-availability-zone over HTTP: zones from the services of two cells and the aggregates. */
describe('os-availability-zone API', () => {
  let d: TestDeployment;
  let api: ApiClient;
  let seed: HostSeed;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1', 'cell2'] });
    api = await ApiClient.start({
      ...d.sections,
      cells: { ...d.sections['cells'], cell_list_timeout: '0.5' },
    });
    seed = new HostSeed(api);
    await seed.service('cell1', { host: 'ctl', binary: 'nova-conductor' });
    await seed.service('cell1', { host: 'ctl', binary: 'nova-scheduler' });
    await seed.service('cell2', { host: 'ctl2', binary: 'nova-conductor', disabled: true });
    await seed.compute('cell1', 'compute1');
    await seed.compute('cell1', 'compute3');
    await seed.compute('cell1', 'compute4', { last_seen_up: LONG_AGO });
    await seed.compute('cell2', 'compute2', { disabled: true, disabled_reason: 'off' });
    await seed.compute('cell2', 'compute5');
    await seed.compute('cell2', 'compute6');
    await seed.zone('az-east', ['compute3']);
    await seed.zone('az-down', ['compute4']);
    await seed.zone('az-off', ['compute2']);
    await seed.zone('az-x', ['compute6']);
    await seed.zone('az-y', ['compute6']);
  });

  afterAll(async () => {
    await api.close();
    await d.cleanup();
  });

  it('lists zone names for any user: available first, the internal zone hidden (sample 40)', async () => {
    const res = await api.get('/v2.1/os-availability-zone', { as: 'member' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      availabilityZoneInfo: [
        { zoneName: 'az-east', zoneState: { available: true }, hosts: null },
        { zoneName: 'az-x,az-y', zoneState: { available: true }, hosts: null },
        { zoneName: 'nova', zoneState: { available: true }, hosts: null },
        // Enabled but down, and disabled: not available.
        { zoneName: 'az-down', zoneState: { available: false }, hosts: null },
        { zoneName: 'az-off', zoneState: { available: false }, hosts: null },
      ],
    });
  });

  it('details every zone with its hosts and enabled services for admins (sample 41)', async () => {
    const res = await api.get('/v2.1/os-availability-zone/detail');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      availabilityZoneInfo: [
        {
          zoneName: 'az-east',
          zoneState: { available: true },
          hosts: { compute3: { 'nova-compute': UP } },
        },
        {
          zoneName: 'az-x,az-y',
          zoneState: { available: true },
          hosts: { compute6: { 'nova-compute': UP } },
        },
        {
          zoneName: 'internal',
          zoneState: { available: true },
          hosts: { ctl: { 'nova-conductor': UP, 'nova-scheduler': UP } },
        },
        {
          zoneName: 'nova',
          zoneState: { available: true },
          hosts: {
            compute1: { 'nova-compute': UP },
            compute5: { 'nova-compute': UP },
          },
        },
        { zoneName: 'az-down', zoneState: { available: false }, hosts: null },
        { zoneName: 'az-off', zoneState: { available: false }, hosts: null },
      ],
    });
  });

  it('keeps the detail for admins', async () => {
    expect(await api.get('/v2.1/os-availability-zone/detail', { as: 'member' })).toMatchObject({
      status: 403,
      body: {
        forbidden: {
          message:
            "Policy doesn't allow os_compute_api:os-availability-zone:detail to be performed.",
        },
      },
    });
    expect(
      (await api.get('/v2.1/os-availability-zone', { as: 'other', version: '2.93' })).status,
    ).toBe(200);
  });

  it('follows disabling a host: its zone becomes unavailable', async () => {
    const disabled = await api.put(
      '/v2.1/os-services/disable',
      { host: 'compute3', binary: 'nova-compute' },
      {},
    );
    expect(disabled.status).toBe(200);
    const res = await api.get('/v2.1/os-availability-zone');
    expect(res.body.availabilityZoneInfo).toContainEqual({
      zoneName: 'az-east',
      zoneState: { available: false },
      hosts: null,
    });
    await api.put('/v2.1/os-services/enable', { host: 'compute3', binary: 'nova-compute' });
  });

  describe('a dead cell', () => {
    let dead: Awaited<ReturnType<HostSeed['deadCells']>>;

    beforeAll(async () => {
      dead = await seed.deadCells(['lost1']);
    });

    afterAll(() => dead.close());

    it('leaves the zones of the other cells listed within the list timeout', async () => {
      const started = Date.now();
      const res = await api.get('/v2.1/os-availability-zone/detail');
      expect(Date.now() - started).toBeLessThan(1500);
      expect(res.status).toBe(200);
      const names = (res.body.availabilityZoneInfo as Array<{ zoneName: string }>).map(
        (z) => z.zoneName,
      );
      expect(names).toEqual(['az-east', 'az-x,az-y', 'internal', 'nova', 'az-down', 'az-off']);
    });
  });
});
