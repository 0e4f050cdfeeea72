import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestDeployment } from '../../support/deployment';
import { query } from '../../support/mysql';
import { freePort } from '../../support/redis';
import { ServiceProcess } from '../../support/service-process';

const ADMIN = { 'x-auth-token': 'admin:admin' };

/**
 * The frame as a running nova-api shows it (MariaDB + Redis): rule overrides from
 * a policy file, the client's request id in the logs, and an unexpected error
 * turned into a logged 500 without a stack.
 */
describe('nova-api process: policy file, global request id, unexpected errors', () => {
  let d: TestDeployment;
  let api: ServiceProcess;
  let base: string;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1'] });
    // Relative: looked up next to the config file, as oslo.policy does.
    writeFileSync(
      join(d.dir, 'policy.yaml'),
      [
        '"os_compute_api:os-keypairs:index": "!"',
        '"os_compute_api:os-flavor-manage:create": "role:member"',
      ].join('\n'),
    );
    d.sections = { ...d.sections, oslo_policy: { policy_file: 'policy.yaml' } };
    const port = await freePort();
    api = new ServiceProcess('nova-api', ['--config-file', d.configFile()], {
      OS_DEFAULT__OSAPI_COMPUTE_LISTEN: '127.0.0.1',
      OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT: String(port),
      OS_API__AUTH_STRATEGY: 'noauth2',
    });
    await api.waitFor((l) => String(l.msg).startsWith('nova-api listening'));
    base = `http://127.0.0.1:${port}/v2.1`;
  });

  afterAll(async () => {
    await api?.stop();
    await d.cleanup();
  });

  it('applies the policy file over the defaults', async () => {
    const denied = await fetch(`${base}/os-keypairs`, { headers: ADMIN });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      forbidden: {
        code: 403,
        message: "Policy doesn't allow os_compute_api:os-keypairs:index to be performed.",
      },
    });
    const create = await fetch(`${base}/flavors`, {
      method: 'POST',
      headers: {
        'x-auth-token': 'demo:demo',
        'x-roles': 'member',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ flavor: { name: 'by-member', ram: 64, vcpus: 1, disk: 1 } }),
    });
    expect(create.status).toBe(200);
  });

  it("logs the client's X-OpenStack-Request-ID as the global request id", async () => {
    const global = 'req-0f4a3c8e-1b2d-4e5f-8a9b-0c1d2e3f4a5b';
    const res = await fetch(`${base}/flavors`, {
      headers: { ...ADMIN, 'x-openstack-request-id': global },
    });
    expect(res.status).toBe(200);
    const local = res.headers.get('x-openstack-request-id');
    expect(local).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(local).not.toBe(global);
    await api.waitFor((l) => l['requestId'] === local && l['globalRequestId'] === global);
  });

  it('answers an unexpected error with a logged 500 and no stack in the body', async () => {
    await query(d.dbName('api'), 'RENAME TABLE aggregates TO aggregates_gone');
    try {
      const res = await fetch(`${base}/os-aggregates`, { headers: ADMIN });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { computeFault: { code: number; message: string } };
      expect(body.computeFault.code).toBe(500);
      expect(body.computeFault.message).not.toMatch(/\n\s+at |aggregates_gone|SELECT/);
      const requestId = res.headers.get('x-openstack-request-id');
      await api.waitFor(
        (l) =>
          l['requestId'] === requestId && l.level === 'error' && typeof l['stack'] === 'string',
      );
    } finally {
      await query(d.dbName('api'), 'RENAME TABLE aggregates_gone TO aggregates');
    }
  });
});
