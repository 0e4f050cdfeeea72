import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CellRouter } from '@nova/cell-router';
import { adminContext } from '@nova/common';
import { TestDeployment } from '../support/deployment';
import { manageOk } from '../support/manage';
import { freePort } from '../support/redis';
import { seedComputes } from '../support/seed';
import { ServiceProcess } from '../support/service-process';

const run = promisify(execFile);

/**
 * Debian's python3-openstackclient against a running nova-api (MariaDB + Redis):
 * the CLI's own requests, parsing and microversion handling, unchanged.
 */
describe('openstack CLI against nova-api', () => {
  let d: TestDeployment;
  let api: ServiceProcess;
  let env: NodeJS.ProcessEnv;

  const osc = async (...args: string[]): Promise<any> => {
    const { stdout } = await run('openstack', [...args, '-f', 'json'], { env, timeout: 60_000 });
    return stdout.trim() === '' ? undefined : JSON.parse(stdout);
  };
  const oscRaw = (...args: string[]) => run('openstack', args, { env, timeout: 60_000 });

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1'] });
    const app = await d.app();
    const router = app.get(CellRouter);
    const cell1 = (await router.cells()).find((c) => c.name === 'cell1');
    await seedComputes(router.targetCell(adminContext(), cell1!), ['osc-compute-1']);
    await manageOk(d.sections, 'cell_v2', 'discover_hosts');
    const port = await freePort();
    api = new ServiceProcess('nova-api', ['--config-file', d.configFile()], {
      OS_DEFAULT__OSAPI_COMPUTE_LISTEN: '127.0.0.1',
      OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT: String(port),
      OS_API__AUTH_STRATEGY: 'noauth2',
    });
    await api.waitFor((l) => String(l.msg).startsWith('nova-api listening'));
    env = {
      ...process.env,
      OS_AUTH_TYPE: 'admin_token',
      OS_TOKEN: 'admin:admin',
      OS_ENDPOINT: `http://127.0.0.1:${port}/v2.1`,
      OS_CLOUD: '',
    };
  });

  afterAll(async () => {
    await api?.stop();
    await d.cleanup();
  });

  it('flavor create, list, show, delete', async () => {
    const created = await osc(
      'flavor',
      'create',
      '--ram',
      '512',
      '--vcpus',
      '2',
      '--disk',
      '10',
      '--id',
      'osc-1',
      'osc.small',
    );
    expect(created).toMatchObject({
      id: 'osc-1',
      name: 'osc.small',
      ram: 512,
      vcpus: 2,
      disk: 10,
      'os-flavor-access:is_public': true,
    });
    const listed = (await osc('flavor', 'list')) as Array<{
      ID: string;
      Name: string;
      RAM: number;
    }>;
    expect(listed).toContainEqual(
      expect.objectContaining({ ID: 'osc-1', Name: 'osc.small', RAM: 512 }),
    );
    expect(await osc('flavor', 'show', 'osc.small')).toMatchObject({ id: 'osc-1', vcpus: 2 });
    await oscRaw('flavor', 'delete', 'osc-1');
    expect(((await osc('flavor', 'list')) as Array<{ ID: string }>).map((f) => f.ID)).not.toContain(
      'osc-1',
    );
  });

  it('keypair create, list, delete', async () => {
    // Generating, the CLI prints the private key itself (once), not a table.
    const generated = await oscRaw('keypair', 'create', 'osc-key');
    expect(generated.stdout.trim()).toMatch(
      /^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----$/,
    );
    expect(await osc('keypair', 'show', 'osc-key')).toMatchObject({
      name: 'osc-key',
      fingerprint: expect.stringMatching(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/),
    });
    expect(
      ((await osc('keypair', 'list')) as Array<{ Name: string }>).map((k) => k.Name),
    ).toContain('osc-key');
    await oscRaw('keypair', 'delete', 'osc-key');
    expect(
      ((await osc('keypair', 'list')) as Array<{ Name: string }>).map((k) => k.Name),
    ).not.toContain('osc-key');
  });

  it('aggregate create, add host, list', async () => {
    expect(await osc('aggregate', 'create', '--zone', 'osc-az', 'osc-agg')).toMatchObject({
      name: 'osc-agg',
      availability_zone: 'osc-az',
    });
    const added = await osc('aggregate', 'add', 'host', 'osc-agg', 'osc-compute-1');
    expect(added).toMatchObject({ name: 'osc-agg', hosts: ['osc-compute-1'] });
    const listed = (await osc('aggregate', 'list')) as Array<{
      Name: string;
      'Availability Zone': string;
    }>;
    expect(listed).toContainEqual(
      expect.objectContaining({ Name: 'osc-agg', 'Availability Zone': 'osc-az' }),
    );
  });

  it('availability zone list', async () => {
    const zones = (await osc('availability', 'zone', 'list', '--compute')) as Array<{
      'Zone Name': string;
      'Zone Status': string;
    }>;
    expect(zones).toContainEqual({ 'Zone Name': 'osc-az', 'Zone Status': 'available' });
  });

  it('compute service list', async () => {
    const services = (await osc('compute', 'service', 'list')) as Array<{
      Binary: string;
      Host: string;
      Zone: string;
      Status: string;
      State: string;
    }>;
    expect(services).toContainEqual(
      expect.objectContaining({
        Binary: 'nova-compute',
        Host: 'osc-compute-1',
        Zone: 'osc-az',
        Status: 'enabled',
        State: 'up',
      }),
    );
  });
});
