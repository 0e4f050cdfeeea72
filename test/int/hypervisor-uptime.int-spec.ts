import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cloud } from '../support/cloud';
import { freePort } from '../support/redis';
import { ServiceProcess } from '../support/service-process';

const run = promisify(execFile);
/** Linux uptime's line, as the fake host prints it. */
const UPTIME_LINE =
  /^ \d\d:\d\d:\d\d up (\d+ days?, )?(\d+ min|[ \d]\d:\d\d), {2}1 user, {2}load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d$/;

/**
 * A hypervisor's uptime asked of its real nova-compute process (fake driver)
 * over the cell's queue: /uptime before 2.88, the show from 2.88, and the
 * `openstack hypervisor show` that calls it.
 */
describe('hypervisor uptime from the compute host (separate processes)', () => {
  let cloud: Cloud;
  let api: ServiceProcess;
  let port: number;

  beforeAll(async () => {
    cloud = await Cloud.start({ cells: ['cell1'], computesPerCell: 1 });
    port = await freePort();
    api = new ServiceProcess('nova-api', ['--config-file', cloud.configFile], {
      OS_DEFAULT__OSAPI_COMPUTE_LISTEN: '127.0.0.1',
      OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT: String(port),
      OS_API__AUTH_STRATEGY: 'noauth2',
    });
    await api.waitFor((l) => String(l.msg).startsWith('nova-api listening'));
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await cloud?.stop();
  });

  const node = async () => {
    const list = await cloud.api.get('/v2.1/os-hypervisors');
    const found = list.body.hypervisors.find(
      (h: { hypervisor_hostname: string }) => h.hypervisor_hostname === 'cell1-c1',
    );
    expect(found).toBeDefined();
    return found as { id: number };
  };

  it('answers the host uptime line until 2.87 and in the show from 2.88', async () => {
    const { id } = await node();
    const res = await cloud.api.get(`/v2.1/os-hypervisors/${id}/uptime`);
    expect(res.status).toBe(200);
    expect(res.body.hypervisor).toMatchObject({
      id,
      hypervisor_hostname: 'cell1-c1',
      state: 'up',
      status: 'enabled',
    });
    expect(res.body.hypervisor.uptime).toMatch(UPTIME_LINE);

    const uuid = (await cloud.api.get('/v2.1/os-hypervisors', { version: '2.88' })).body
      .hypervisors[0].id as string;
    const shown = await cloud.api.get(`/v2.1/os-hypervisors/${uuid}`, { version: '2.88' });
    expect(shown.status).toBe(200);
    expect(shown.body.hypervisor.uptime).toMatch(UPTIME_LINE);
    // The list does not ask every host.
    const detail = await cloud.api.get('/v2.1/os-hypervisors/detail', { version: '2.88' });
    expect(detail.body.hypervisors[0].uptime).toBeNull();
  });

  it('answers 400 once the host is down', async () => {
    const { id } = await node();
    await cloud.computes.get('cell1-c1')?.stop();
    let res = await cloud.api.get(`/v2.1/os-hypervisors/${id}/uptime`);
    // Until its service is seen down, the host is asked (and does not answer).
    for (let i = 0; i < 40 && res.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      res = await cloud.api.get(`/v2.1/os-hypervisors/${id}/uptime`);
    }
    expect(res.body).toEqual({
      badRequest: {
        code: 400,
        message: 'Compute service of cell1-c1 is unavailable at this time.',
      },
    });
    cloud.startCompute('cell1', 'cell1-c1');
  }, 60_000);

  it('lets `openstack hypervisor show` split the uptime line', async () => {
    const env = {
      ...process.env,
      OS_AUTH_TYPE: 'admin_token',
      OS_TOKEN: 'admin:admin',
      OS_ENDPOINT: `http://127.0.0.1:${port}/v2.1`,
      OS_CLOUD: '',
    };
    // The restarted host answers again once it has reported in.
    let shown: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) {
      try {
        const { stdout } = await run(
          'openstack',
          ['hypervisor', 'show', 'cell1-c1', '-f', 'json'],
          {
            env,
            timeout: 60_000,
          },
        );
        shown = JSON.parse(stdout) as Record<string, unknown>;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    expect(shown).toMatchObject({
      hypervisor_hostname: 'cell1-c1',
      users: '1',
      host_time: expect.stringMatching(/^\d\d:\d\d:\d\d$/),
      uptime: expect.stringMatching(/^(\d+ days?, )?(\d+ min|[ \d]\d:\d\d)$/),
      load_average: expect.stringMatching(/^\d+\.\d\d, \d+\.\d\d, \d+\.\d\d$/),
    });
  }, 90_000);
});
