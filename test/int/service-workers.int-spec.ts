import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from '@nova/common';
import { Cloud } from '../support/cloud';
import { queueConsumers } from '../support/rabbit';

const execFileP = promisify(execFile);

/** The pids of a process's children (its cluster workers). */
async function children(pid: number): Promise<number[]> {
  const { stdout } = await execFileP('ps', ['-o', 'pid=', '--ppid', String(pid)]).catch(() => ({
    stdout: '',
  }));
  return stdout
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

const vhostOf = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

/**
 * `[conductor] workers` and `[scheduler] workers` (Nova's options): the super
 * conductor, a cell conductor and the scheduler each run as a primary with two
 * worker processes that all consume their queues, builds go through them, and
 * SIGTERM stops every worker before the primary exits 0.
 */
describe('conductor and scheduler workers (separate processes)', () => {
  let cloud: Cloud;
  const imageRef = '5d0d6b6e-0a43-4c4e-9c55-2f0a3b7c8e11';
  const flavorRef = 'workers-tiny';

  beforeAll(async () => {
    const catalog = join(mkdtempSync(join(tmpdir(), 'nova-images-')), 'images.json');
    writeFileSync(catalog, JSON.stringify([{ id: imageRef, name: 'cirros', status: 'active' }]));
    cloud = await Cloud.start({
      cells: ['cell1'],
      computesPerCell: 1,
      extra: {
        conductor: { workers: '2' },
        scheduler: { workers: '2' },
        glance: { local_catalog: catalog },
        quota: { instances: '-1', cores: '-1', ram: '-1' },
      },
    });
    const flavor = await cloud.api.post('/v2.1/flavors', {
      flavor: { name: 'workers.tiny', id: flavorRef, vcpus: 1, ram: 64, disk: 1 },
    });
    expect(flavor.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('each of the three services forks two workers, and every worker consumes its queues', async () => {
    for (const role of ['super', 'scheduler', 'conductor-cell1']) {
      expect(await children(cloud.roles.get(role)!.pid!)).toHaveLength(2);
    }
    const apiQueues = await queueConsumers(vhostOf(cloud.sections['DEFAULT']['transport_url']));
    const cellQueues = await queueConsumers(vhostOf(cloud.cellUrls('cell1').mq));
    // The topic's shared queue: every worker of the service takes from it.
    expect(apiQueues.get('scheduler')).toBe(2);
    expect(apiQueues.get('conductor')).toBe(2);
    expect(cellQueues.get('conductor')).toBe(2);
  });

  it('builds go through the workers: 6 servers ACTIVE', async () => {
    const res = await cloud.api.post(
      '/v2.1/servers',
      { server: { name: 'w', imageRef, flavorRef, min_count: 6, max_count: 6 } },
      { as: 'member' },
    );
    expect(res.status).toBe(202);
    const listed = async () =>
      (await cloud.api.get('/v2.1/servers/detail', { as: 'member' })).body.servers as Array<{
        status: string;
      }>;
    for (let i = 0; i < 300; i++) {
      const servers = await listed();
      if (servers.length === 6 && servers.every((s) => s.status === 'ACTIVE')) {
        break;
      }
      await sleep(100);
    }
    expect((await listed()).map((s) => s.status)).toEqual(Array(6).fill('ACTIVE'));
  });

  it('SIGTERM to the scheduler stops both workers, then the primary exits 0', async () => {
    const scheduler = cloud.roles.get('scheduler')!;
    const workers = await children(scheduler.pid!);
    expect(workers).toHaveLength(2);
    expect(await scheduler.stop()).toBe(0);
    for (const pid of workers) {
      expect(() => process.kill(pid, 0)).toThrow();
    }
  });
});
