import { sleep } from '@nova/common';
import { ApiClient } from './api-client';
import { writeConfigFile, type Sections } from './config';
import { TestDeployment } from './deployment';
import { query } from './mysql';
import { ServiceProcess } from './service-process';

export interface CloudOptions {
  /** Regular cells (cell0 always exists). */
  readonly cells: readonly string[];
  /** Fake compute hosts per cell, each its own nova-compute process: host `<cell>-c<n>`. */
  readonly computesPerCell: number;
  /** Extra config for every process. */
  readonly extra?: Sections;
  /** One `nova-conductor --cell ...` process for every cell (role `conductor-shared`), not one each. */
  readonly sharedCellConductor?: boolean;
}

/** Fast heartbeats and discovery, so tests see hosts come and go within seconds. */
const FAST: Sections = {
  DEFAULT: { report_interval: '1', service_down_time: '4', rpc_response_timeout: '15' },
  scheduler: { discover_hosts_in_cells_interval: '1', max_attempts: '3' },
  compute: { build_timeout_on_down_host: '2', sync_power_state_interval: '0' },
  fake_driver: { vcpus: '8', memory_mb: '16384', local_gb: '200', spawn_delay_ms: '20' },
};

/**
 * A whole cloud on MariaDB, RabbitMQ (one vhost per cell plus the API level) and
 * Redis: super conductor, scheduler, a conductor per cell and fake computes, all
 * as separate processes; the API in this process (driven through inject).
 */
export class Cloud {
  readonly computes = new Map<string, ServiceProcess>();
  private readonly services: ServiceProcess[] = [];
  /** The other processes by role: `super`, `scheduler`, `conductor-<cell>`. */
  readonly roles = new Map<string, ServiceProcess>();
  api!: ApiClient;
  configFile!: string;
  /** The computes' config: no [database] nor [api_database] at all. */
  private computeConfigFile?: string;

  private constructor(
    readonly deployment: TestDeployment,
    readonly options: CloudOptions,
  ) {}

  static async start(options: CloudOptions): Promise<Cloud> {
    const deployment = await TestDeployment.create({
      backend: 'mariadb',
      redis: true,
      vhosts: true,
      cells: [...options.cells],
      extra: merge(FAST, options.extra ?? {}),
    });
    const cloud = new Cloud(deployment, options);
    await cloud.boot();
    return cloud;
  }

  get sections(): Sections {
    return this.deployment.sections;
  }

  private async boot(): Promise<void> {
    this.configFile = this.deployment.configFile();
    const conf = ['--config-file', this.configFile];
    this.addService('super', new ServiceProcess('nova-conductor', [...conf, '--super']));
    this.addService('scheduler', new ServiceProcess('nova-scheduler', conf));
    if (this.options.sharedCellConductor) {
      const cells = this.options.cells.flatMap((cell) => ['--cell', cell]);
      this.addService(
        'conductor-shared',
        new ServiceProcess('nova-conductor', [...conf, ...cells], {
          OS_DEFAULT__HOST: 'shared-conductor',
        }),
      );
    }
    for (const cell of this.options.cells) {
      if (!this.options.sharedCellConductor) {
        const urls = this.cellUrls(cell);
        this.addService(
          `conductor-${cell}`,
          new ServiceProcess('nova-conductor', conf, {
            OS_DATABASE__CONNECTION: urls.db,
            OS_DEFAULT__TRANSPORT_URL: urls.mq,
            OS_DEFAULT__HOST: `${cell}-conductor`,
          }),
        );
      }
      for (let n = 1; n <= this.options.computesPerCell; n++) {
        this.startCompute(cell, `${cell}-c${n}`);
      }
    }
    this.api = await ApiClient.start(this.sections);
    await this.waitForHosts(this.options.cells.length * this.options.computesPerCell);
  }

  /** Another process of the cloud (stopped with it), e.g. a nova-api a test runs. */
  addService(role: string, process: ServiceProcess): ServiceProcess {
    this.services.push(process);
    this.roles.set(role, process);
    return process;
  }

  cellUrls(cell: string): { db: string; mq: string } {
    const urls = this.deployment.cellUrls.get(cell);
    if (!urls) {
      throw new Error(`no cell ${cell}`);
    }
    return urls;
  }

  /** One nova-compute process for `host` in `cell` (no database settings reach it). */
  startCompute(cell: string, host: string, env: NodeJS.ProcessEnv = {}): ServiceProcess {
    this.computeConfigFile ??= writeConfigFile(
      Object.fromEntries(
        Object.entries(this.sections).filter(([s]) => s !== 'database' && s !== 'api_database'),
      ),
    );
    const process = new ServiceProcess('nova-compute', ['--config-file', this.computeConfigFile], {
      OS_DEFAULT__TRANSPORT_URL: this.cellUrls(cell).mq,
      OS_DEFAULT__HOST: host,
      ...env,
    });
    this.computes.set(host, process);
    return process;
  }

  /** Until `count` compute hosts are mapped (discovered) and have resource providers. */
  async waitForHosts(count: number, timeoutMs = 30_000): Promise<void> {
    const db = this.deployment.dbName('api');
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const [mapped] = await query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM host_mappings');
      const [providers] = await query<{ n: number }>(
        db,
        'SELECT COUNT(*) AS n FROM resource_providers',
      );
      if (Number(mapped?.n) >= count && Number(providers?.n) >= count) {
        return;
      }
      await sleep(100);
    }
    throw new Error(
      `fewer than ${count} compute hosts mapped within ${timeoutMs} ms; ${this.problems()}`,
    );
  }

  /** Poll GET /servers/{id} until `done` holds; returns the last server body. */
  async waitForServer(
    id: string,
    done: (server: Record<string, any>) => boolean,
    timeoutMs = 20_000,
  ): Promise<Record<string, any>> {
    const started = Date.now();
    let last: Record<string, any> = {};
    while (Date.now() - started < timeoutMs) {
      const res = await this.api.get(`/v2.1/servers/${id}`);
      last = res.status === 200 ? res.body.server : { status: `HTTP ${res.status}` };
      if (res.status === 200 && done(last)) {
        return last;
      }
      await sleep(50);
    }
    throw new Error(
      `server ${id} not there within ${timeoutMs} ms: ${JSON.stringify(last)}\n${this.problems()}`,
    );
  }

  /** Until GET /servers/{id} is 404. */
  async waitForGone(id: string, timeoutMs = 20_000): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if ((await this.api.get(`/v2.1/servers/${id}`)).status === 404) {
        return;
      }
      await sleep(50);
    }
    throw new Error(`server ${id} still there after ${timeoutMs} ms`);
  }

  /** Warnings, errors and stderr of every process, for failure messages. */
  problems(): string {
    const named = [
      ...this.computes.entries(),
      ...this.services.map((p, i) => [`service-${i}`, p] as const),
    ];
    return named
      .flatMap(([name, p]) =>
        p.lines
          .filter(
            (l) =>
              l.level === 'stderr' ||
              l.level === 'error' ||
              l.level === 'warn' ||
              l.level === 'fatal' ||
              /no host passed/.test(l.msg),
          )
          .slice(-3)
          .map((l) => `${name}: ${JSON.stringify(l)}`),
      )
      .join('\n');
  }

  async stop(): Promise<void> {
    await this.api?.close().catch(() => undefined);
    await Promise.all(
      [...this.computes.values(), ...this.services].map((p) => p.stop().catch(() => undefined)),
    );
    await this.deployment.cleanup();
  }
}

function merge(a: Sections, b: Sections): Sections {
  const out: Sections = { ...a };
  for (const [section, values] of Object.entries(b)) {
    out[section] = { ...out[section], ...values };
  }
  return out;
}
