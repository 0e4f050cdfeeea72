import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { TestDeployment } from '../../support/deployment';
import { testEnv } from '../../support/env';
import { query } from '../../support/mysql';
import { freePort } from '../../support/redis';
import { ServiceProcess } from '../../support/service-process';

const ADMIN = { 'x-auth-token': 'admin:admin' };
const DENY_KEYPAIRS = '"os_compute_api:os-keypairs:index": "!"';
const MEMBER_FLAVORS = '"os_compute_api:os-flavor-manage:create": "role:member"';

/**
 * The frame as a running nova-api shows it (MariaDB + Redis): rule overrides from
 * a policy file, the client's request id in the logs, and an unexpected error
 * turned into a logged 500 without a stack.
 */
describe('nova-api process: workers, policy file and its reload, request ids, errors, SIGTERM', () => {
  let d: TestDeployment;
  let api: ServiceProcess;
  let base: string;

  beforeAll(async () => {
    d = await TestDeployment.create({ backend: 'mariadb', redis: true, cells: ['cell1'] });
    // Relative: looked up next to the config file, as oslo.policy does.
    writeFileSync(join(d.dir, 'policy.yaml'), [DENY_KEYPAIRS, MEMBER_FLAVORS].join('\n'));
    d.sections = { ...d.sections, oslo_policy: { policy_file: 'policy.yaml' } };
    const port = await freePort();
    api = new ServiceProcess('nova-api', ['--config-file', d.configFile()], {
      OS_DEFAULT__OSAPI_COMPUTE_LISTEN: '127.0.0.1',
      OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT: String(port),
      OS_API__AUTH_STRATEGY: 'noauth2',
      OS_DEFAULT__OSAPI_COMPUTE_WORKERS: '2',
    });
    // Two Nest applications starting at once on a busy 2-core machine can take a while.
    await until(() => listeningPids().length === 2, 60_000);
    base = `http://127.0.0.1:${port}/v2.1`;
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    await d.cleanup();
  });

  /** The worker processes that said they listen, in order. */
  const listeningPids = () =>
    api.lines.filter((l) => String(l.msg).startsWith('nova-api listening')).map((l) => l['pid']);

  const until = async (ok: () => boolean, timeoutMs = 20_000) => {
    const started = Date.now();
    while (!ok()) {
      if (Date.now() - started > timeoutMs) {
        throw new Error(`not within ${timeoutMs} ms: ${JSON.stringify(api.lines.slice(-5))}`);
      }
      await sleep(20);
    }
  };

  it('serves from two workers sharing one port, and replaces a worker that dies', async () => {
    const pids = new Set(listeningPids());
    expect(pids.size).toBe(2);
    expect(pids.has(api.pid)).toBe(false); // the primary only supervises
    // Concurrent requests open several connections; the primary deals them out in turn.
    const ids = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const res = await fetch(`${base}/flavors`, { headers: ADMIN });
        expect(res.status).toBe(200);
        return res.headers.get('x-openstack-request-id');
      }),
    );
    await until(() => ids.every((id) => api.lines.some((l) => l['requestId'] === id)));
    const servedBy = new Set(
      api.lines.filter((l) => ids.includes(l['requestId'] as string)).map((l) => l['pid']),
    );
    expect(servedBy.size).toBe(2);

    const victim = [...pids][0] as number;
    process.kill(victim, 'SIGKILL');
    await until(() => listeningPids().length === 3);
    expect(
      api.lines.some((l) => l.msg === 'worker died; restarting' && l['workerPid'] === victim),
    ).toBe(true);
    expect((await fetch(`${base}/flavors`, { headers: ADMIN })).status).toBe(200);
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

  it('re-reads the policy file on SIGHUP, in every worker', async () => {
    expect((await fetch(`${base}/os-keypairs`, { headers: ADMIN })).status).toBe(403);
    writeFileSync(join(d.dir, 'policy.yaml'), MEMBER_FLAVORS);
    const reloads = () => api.lines.filter((l) => l.msg === 'policy reloaded').length;
    const before = reloads();
    api.signal('SIGHUP');
    await until(() => reloads() === before + 2);
    for (let i = 0; i < 6; i++) {
      expect((await fetch(`${base}/os-keypairs`, { headers: ADMIN })).status).toBe(200);
    }
    // A file that does not parse keeps the rules in force.
    writeFileSync(join(d.dir, 'policy.yaml'), '"os_compute_api:os-keypairs:index": "role:"(');
    api.signal('SIGHUP');
    await until(
      () =>
        api.lines.filter((l) => l.msg === 'reload failed; the previous settings stay').length === 2,
    );
    expect((await fetch(`${base}/os-keypairs`, { headers: ADMIN })).status).toBe(200);
    writeFileSync(join(d.dir, 'policy.yaml'), [DENY_KEYPAIRS, MEMBER_FLAVORS].join('\n'));
    api.signal('SIGHUP');
    await until(() => reloads() === before + 4);
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

  it('finishes the requests in flight on SIGTERM, then exits 0', async () => {
    // A table lock holds the request in the database until the process is told to stop.
    const lock = await createConnection({ ...testEnv.mysql, database: d.dbName('api') });
    await lock.query('LOCK TABLES flavors WRITE');
    const inFlight = fetch(`${base}/flavors/detail`, { headers: ADMIN });
    await sleep(300);
    const exited = api.stop();
    await sleep(300);
    await lock.query('UNLOCK TABLES');
    await lock.end();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(Array.isArray(((await res.json()) as { flavors: unknown[] }).flavors)).toBe(true);
    expect(await exited).toBe(0);
  });
});
