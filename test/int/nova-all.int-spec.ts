import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '@nova/config';
import { latestVersion } from '@nova/database';
import { API_MIGRATIONS } from '@nova/migrations/api';
import { ServiceProcess } from '../support/service-process';
import { freePort } from '../support/redis';
import { runBin } from '../support/spawn';
import { WsSession } from '../support/ws-client';

/** nova-all on the embedded default config: zero set-up, SQLite under state_path. */
describe('nova-all on the embedded default', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'nova-all-'));
  const conf = join(packageRoot(), 'config', 'nova.conf');
  const env: Record<string, string> = {
    OS_DEFAULT__STATE_PATH: stateDir,
    OS_DEFAULT__HOST: 'aio',
    OS_FAKE_DRIVER__HOST_COUNT: '2',
  };

  beforeAll(async () => {
    env['OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT'] = String(await freePort());
    env['OS_DEFAULT__METADATA_LISTEN_PORT'] = String(await freePort());
    env['OS_VNC__NOVNCPROXY_PORT'] = String(await freePort());
    const serial = await freePort();
    env['OS_SERIAL_CONSOLE__SERIALPROXY_PORT'] = String(serial);
    env['OS_SERIAL_CONSOLE__BASE_URL'] = `ws://127.0.0.1:${serial}/`;
  });

  const api = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`http://127.0.0.1:${env['OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT']}${path}`, {
      ...init,
      headers: { 'X-Auth-Token': 'admin:admin', ...init.headers },
    });
  const until = async <T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> => {
    const started = Date.now();
    for (;;) {
      const value = await fn();
      if (value !== undefined) {
        return value;
      }
      if (Date.now() - started > timeoutMs) {
        throw new Error(`not within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const manage = (...args: string[]) =>
    runBin('nova-manage', ['--config-file', conf, ...args], env);

  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('creates, migrates and maps everything on first start, and shuts down cleanly', async () => {
    const service = new ServiceProcess('nova-all', ['--config-file', conf], env);
    try {
      await service.waitFor((l) => l.msg === 'nova-all ready');
      for (const file of ['nova_api.sqlite', 'nova.sqlite', 'nova_cell0.sqlite']) {
        expect(existsSync(join(stateDir, file))).toBe(true);
      }
      const list = await manage('cell_v2', 'list_cells');
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(
        /\| cell0 \| 00000000-0000-0000-0000-000000000000 \|\s+none:\/\/\/\s+\|/,
      );
      expect(list.stdout).toMatch(/\| cell1 \| [0-9a-f-]{36} \|\s+inproc:\/\/cell1\s+\|/);
      expect((await manage('api_db', 'version')).stdout.trim()).toBe(
        String(latestVersion(API_MIGRATIONS)),
      );
      // The metadata service is served too (on 127.0.0.1: a guest's proxy fronts it).
      const metadata = await fetch(`http://127.0.0.1:${env['OS_DEFAULT__METADATA_LISTEN_PORT']}/`);
      expect((await metadata.text()).split('\n').pop()).toBe('latest');
      // The compute API is served on 127.0.0.1 with noauth2, with Nova's classic flavors.
      const versions = await api('/');
      expect(versions.status).toBe(200);
      const flavors = (await (await api('/v2.1/flavors')).json()) as {
        flavors: Array<{ name: string }>;
      };
      expect(flavors.flavors.map((f) => f.name)).toEqual([
        'm1.tiny',
        'm1.small',
        'm1.medium',
        'm1.large',
        'm1.xlarge',
      ]);
      // Ready means the conductors, the scheduler and the fake hosts run, and the hosts are mapped.
      const services = (await (await api('/v2.1/os-services')).json()) as {
        services: Array<{ binary: string; host: string; state: string }>;
      };
      expect(services.services.map((s) => `${s.binary} ${s.host} ${s.state}`).sort()).toEqual([
        'nova-compute aio-1 up',
        'nova-compute aio-2 up',
        'nova-conductor aio up',
        'nova-scheduler aio up',
      ]);
      const hosts = await manage('cell_v2', 'list_hosts');
      expect(hosts.stdout).toMatch(/\|\s+cell1\s+\| [0-9a-f-]{36} \|\s+aio-1\s+\|/);
      expect(hosts.stdout).toMatch(/\|\s+cell1\s+\| [0-9a-f-]{36} \|\s+aio-2\s+\|/);
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('starts again without changing anything, and sees a cell added by nova-manage within 1 s', async () => {
    const before = (await manage('cell_v2', 'list_cells')).stdout;
    const service = new ServiceProcess('nova-all', ['--config-file', conf], env);
    try {
      await service.waitFor((l) => l.msg === 'nova-all ready');
      expect((await manage('cell_v2', 'list_cells')).stdout).toBe(before);
      const flavors = (await (await api('/v2.1/flavors')).json()) as { flavors: unknown[] };
      expect(flavors.flavors).toHaveLength(5); // not seeded twice

      const created = await manage(
        'cell_v2',
        'create_cell',
        '--name',
        'cell2',
        '--database_connection',
        `sqlite:///${stateDir}/nova_cell2.sqlite`,
        '--transport-url',
        'inproc://cell2',
        '--verbose',
      );
      expect(created.code).toBe(0);
      const uuid = created.stdout.trim().split('\n').pop() as string;
      const seenAfter = await service.waitFor(
        (l) => l.msg === 'cell mapping changed' && l['change'] === 'added' && l['cell'] === uuid,
        5000,
      );
      expect(seenAfter).toBeLessThan(1000);
      // The new cell gets its conductor without a restart.
      await service.waitFor(
        (l) => l.msg === 'cell conductor started' && String(l['cell']).includes(uuid),
        5000,
      );
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('moves a cell on the API-level queue (older state directories) to a queue of its own, and boots a server', async () => {
    const cells = (await manage('cell_v2', 'list_cells')).stdout;
    const cell1 = /\| cell1 \| ([0-9a-f-]{36}) \|/.exec(cells)?.[1] as string;
    const update = await manage(
      'cell_v2',
      'update_cell',
      '--cell_uuid',
      cell1,
      '--transport-url',
      'inproc://nova',
    );
    expect(update.code).toBe(0);
    const service = new ServiceProcess('nova-all', ['--config-file', conf], env);
    try {
      await service.waitFor((l) => l.msg === 'nova-all ready');
      expect((await manage('cell_v2', 'list_cells')).stdout).toMatch(
        /\| cell1 \| [0-9a-f-]{36} \|\s+inproc:\/\/cell1\s+\|/,
      );
      const hypervisors = (await (await api('/v2.1/os-hypervisors')).json()) as {
        hypervisors: Array<{ hypervisor_hostname: string; state: string }>;
      };
      expect(hypervisors.hypervisors.map((h) => `${h.hypervisor_hostname} ${h.state}`)).toEqual([
        'aio-1 up',
        'aio-2 up',
      ]);

      // A server boots to ACTIVE and is deleted, everything in this one process.
      const v274 = { 'OpenStack-API-Version': 'compute 2.74', 'Content-Type': 'application/json' };
      const images = (await (await api('/v2.1/images')).json()) as {
        images: Array<{ id: string }>;
      };
      const created = await api('/v2.1/servers', {
        method: 'POST',
        headers: v274,
        body: JSON.stringify({
          server: { name: 'vm1', flavorRef: '1', imageRef: images.images[0]?.id, networks: 'auto' },
        }),
      });
      expect(created.status).toBe(202);
      const { id } = ((await created.json()) as { server: { id: string } }).server;
      const server = await until(async () => {
        const res = await api(`/v2.1/servers/${id}`, { headers: v274 });
        const body = (await res.json()) as { server: Record<string, string> };
        return body.server['status'] === 'ACTIVE' ? body.server : undefined;
      });
      expect(['aio-1', 'aio-2']).toContain(server['OS-EXT-SRV-ATTR:host']);
      // Its serial console, through the proxy nova-all serves on the embedded default.
      const consoleRes = await api(`/v2.1/servers/${id}/remote-consoles`, {
        method: 'POST',
        headers: v274,
        body: JSON.stringify({ remote_console: { protocol: 'serial', type: 'serial' } }),
      });
      expect(consoleRes.status).toBe(200);
      const { url } = ((await consoleRes.json()) as { remote_console: { url: string } })
        .remote_console;
      const session = new WsSession(url);
      await session.waitFor('login: ');
      session.send('admin\n');
      await session.waitFor('login: admin\n');
      await session.close();
      expect((await api(`/v2.1/servers/${id}`, { method: 'DELETE' })).status).toBe(204);
      await until(async () =>
        (await api(`/v2.1/servers/${id}`)).status === 404 ? true : undefined,
      );
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('refuses a bad config with one line on stderr and exit 1', async () => {
    const result = await runBin('nova-all', ['--config-file', conf], {
      ...env,
      OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT: 'eighty',
    });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "nova-all: Invalid value for option [DEFAULT] osapi_compute_listen_port = 'eighty': must be an integer\n",
    });
  });
});
