import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@nova/common';
import { writeConfigFile } from '../support/config';
import { TestDeployment } from '../support/deployment';
import { ServiceProcess } from '../support/service-process';

/** Until `fn` returns something (or fail after `timeoutMs`). */
async function eventually<T>(
  what: string,
  fn: () => T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = fn();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${what}: not within ${timeoutMs} ms`);
    }
    await sleep(50);
  }
}

/**
 * Guru Meditation Reports of running services on MariaDB and RabbitMQ: the
 * scheduler (with cells open) into `[oslo_reports] log_dir`, a compute to stderr.
 */
describe('Guru Meditation Report on SIGUSR2 and SIGUSR1', () => {
  let deployment: TestDeployment;
  const services: ServiceProcess[] = [];
  const reports = mkdtempSync(join(tmpdir(), 'nova-gmr-'));

  beforeAll(async () => {
    deployment = await TestDeployment.create({
      backend: 'mariadb',
      vhosts: true,
      cells: ['cell1'],
      extra: {
        scheduler: { discover_hosts_in_cells_interval: '1' },
        keystone_authtoken: { password: 'very-secret-pw' },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await deployment.cleanup();
  });

  it('the scheduler writes its report to log_dir: cells and pools, RPC, loop lag, heap, masked config', async () => {
    const scheduler = new ServiceProcess(
      'nova-scheduler',
      ['--config-file', deployment.configFile()],
      { OS_OSLO_REPORTS__LOG_DIR: reports },
    );
    services.push(scheduler);
    await scheduler.waitFor((l) => l.msg === 'nova-scheduler ready', 60_000);
    const files = () => readdirSync(reports).filter((f) => f.startsWith('nova-scheduler_'));
    // Host discovery (every second) opens the cells: ask again until the report shows them.
    let file: string | undefined;
    for (let attempt = 0; attempt < 40; attempt++) {
      const before = files().length;
      scheduler.signal('SIGUSR2');
      await eventually('a report file', () => (files().length > before ? true : undefined));
      file = files().sort().pop()!;
      if (/^cell1: open/m.test(readFileSync(join(reports, file), 'utf8'))) {
        break;
      }
      await sleep(250);
    }
    const report = readFileSync(join(reports, file!), 'utf8');
    for (const section of [
      'Guru Meditation',
      'Package',
      'Event Loop',
      'Heap',
      'Cells',
      'RPC In Flight',
      'Configuration',
    ]) {
      expect(report).toContain(section);
    }
    expect(report).toContain('signal = SIGUSR2');
    expect(report).toMatch(/lag p99 = \d+\.\d{3} ms/);
    expect(report).toMatch(/heap used = [\d.]+ MiB/);
    expect(report).toMatch(/^cell1: open pool used=\d+ idle=\d+ waiting=0$/m);
    expect(report).toMatch(/^api: open pool used=\d+ idle=\d+ waiting=0$/m);
    // Config: values shown, secrets never.
    expect(report).toContain('[scheduler]');
    expect(report).toContain('  discover_hosts_in_cells_interval = 1');
    expect(report).toContain('  password = ***');
    expect(report).not.toContain('very-secret-pw');
    expect(report).not.toMatch(/guest:guest@/);
    expect(report).toMatch(/transport_url = rabbit:\/\/guest:\*+@/);
    // The process goes on: it still answers, and SIGUSR1 (older releases) works too.
    const count = files().length;
    scheduler.signal('SIGUSR1');
    await eventually('a report on SIGUSR1', () => (files().length > count ? true : undefined));
    const second = files()
      .map((f) => readFileSync(join(reports, f), 'utf8'))
      .find((r) => r.includes('signal = SIGUSR1'));
    expect(second).toBeDefined();
  });

  it('without log_dir the report goes to stderr (a compute, which has no database)', async () => {
    const cell1 = deployment.cellUrls.get('cell1')!;
    const conf = writeConfigFile(
      {
        // No conductor runs here: its first report gives up after a second.
        DEFAULT: { transport_url: cell1.mq, host: 'gmr-compute', rpc_response_timeout: '1' },
        compute: { compute_driver: 'fake.FakeDriver' },
      },
      mkdtempSync(join(tmpdir(), 'nova-compute-')),
    );
    const compute = new ServiceProcess('nova-compute', ['--config-file', conf]);
    services.push(compute);
    await compute.waitFor((l) => l.msg === 'compute hosts started', 30_000);
    compute.signal('SIGUSR2');
    const stderr = () =>
      compute.lines
        .filter((l) => l.level === 'stderr')
        .map((l) => l.msg)
        .join('');
    // The report ends with the configuration, [oslo_reports] among the last sections.
    const text = await eventually('the whole report on stderr', () =>
      stderr().includes('[oslo_reports]') ? stderr() : undefined,
    );
    expect(text).toContain('Guru Meditation');
    expect(text).toContain('(no cell connections)');
    expect(text).toMatch(/transport_url = rabbit:\/\/guest:\*+@/);
  });
});
