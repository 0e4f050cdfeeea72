import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '@nova/config';
import { ServiceProcess } from '../support/service-process';
import { freePort } from '../support/redis';
import { runBin } from '../support/spawn';

/** nova-all on the embedded default config: zero set-up, SQLite under state_path. */
describe('nova-all on the embedded default', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'nova-all-'));
  const conf = join(packageRoot(), 'config', 'nova.conf');
  const env: Record<string, string> = { OS_DEFAULT__STATE_PATH: stateDir };

  beforeAll(async () => {
    env['OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT'] = String(await freePort());
  });

  const api = (path: string) =>
    fetch(`http://127.0.0.1:${env['OS_DEFAULT__OSAPI_COMPUTE_LISTEN_PORT']}${path}`, {
      headers: { 'X-Auth-Token': 'admin:admin' },
    });
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
      expect(list.stdout).toMatch(/\| cell1 \| [0-9a-f-]{36} \|\s+inproc:\/\/nova\s+\|/);
      expect((await manage('api_db', 'version')).stdout.trim()).toBe('2');
      // The compute API is served on 127.0.0.1 with noauth2, with Nova's classic flavors.
      const versions = await api('/');
      expect(versions.status).toBe(300);
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
