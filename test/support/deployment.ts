import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { NovaConfig } from '@nova/config';
import { ManageAppModule } from '../../apps/nova-manage/src/manage-app.module';
import { redisCache, testConfig, writeConfigFile, type Sections } from './config';
import { uniqueId } from './env';
import { manageOk } from './manage';
import { dropDatabases, mysqlUrl } from './mysql';
import { createVhost, deleteVhost, rabbitUrl } from './rabbit';

export type Backend = 'mariadb' | 'sqlite';

export interface DeploymentOptions {
  backend: Backend;
  /** Regular cells to create besides cell0 (names). */
  cells?: string[];
  /** Use the shared Redis (with a private prefix); otherwise the in-process cache. */
  redis?: boolean;
  /** Create a RabbitMQ vhost per cell (MariaDB backend). */
  vhosts?: boolean;
  /** Config added to the defaults, section by section, option by option. */
  extra?: Sections;
}

/**
 * A throw-away deployment: an API database and cell databases (MariaDB databases
 * or SQLite files), optional vhosts and a Redis prefix, set up with nova-manage
 * itself (api_db sync, map_cell0, create_cell, db sync).
 */
export class TestDeployment {
  readonly id = uniqueId('t');
  readonly databases: string[] = [];
  readonly vhosts: string[] = [];
  readonly cellUrls = new Map<string, { db: string; mq: string }>();
  sections!: Sections;
  readonly dir = mkdtempSync(join(tmpdir(), 'nova-test-'));
  private apps: INestApplicationContext[] = [];

  private constructor(readonly options: DeploymentOptions) {}

  static async create(options: DeploymentOptions): Promise<TestDeployment> {
    const d = new TestDeployment(options);
    await d.setUp();
    return d;
  }

  dbUrl(name: string): string {
    if (this.options.backend === 'sqlite') {
      return `sqlite:///${join(this.dir, `${name}.sqlite`)}`;
    }
    const db = `${this.id}_${name}`;
    this.databases.push(db);
    return mysqlUrl(db);
  }

  dbName(name: string): string {
    return `${this.id}_${name}`;
  }

  async mqUrl(name: string): Promise<string> {
    if (this.options.backend === 'mariadb' && this.options.vhosts) {
      const vhost = `${this.id}_${name}`;
      await createVhost(vhost);
      this.vhosts.push(vhost);
      return rabbitUrl(vhost);
    }
    return `inproc://${this.id}_${name}`;
  }

  get config(): NovaConfig {
    return testConfig(this.sections);
  }

  configFile(): string {
    return writeConfigFile(this.sections, this.dir);
  }

  /** A Nest context with the router and nova-manage services, closed at cleanup. */
  async app(sections: Sections = this.sections): Promise<INestApplicationContext> {
    const app = await NestFactory.createApplicationContext(
      ManageAppModule.forConfig(testConfig(sections)),
      { logger: false },
    );
    this.apps.push(app);
    return app;
  }

  /** Add a regular cell with nova-manage; returns its uuid. */
  async addCell(name: string): Promise<string> {
    const urls = { db: this.dbUrl(name), mq: await this.mqUrl(name) };
    this.cellUrls.set(name, urls);
    const out = await manageOk(
      this.sections,
      'cell_v2',
      'create_cell',
      '--name',
      name,
      '--database_connection',
      urls.db,
      '--transport-url',
      urls.mq,
      '--verbose',
    );
    await manageOk(this.sections, 'db', 'sync');
    return out.trim().split('\n').pop() as string;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.apps.map((a) => a.close().catch(() => undefined)));
    await dropDatabases(this.databases).catch(() => undefined);
    await Promise.all(this.vhosts.map((v) => deleteVhost(v)));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async setUp(): Promise<void> {
    const apiMq = await this.mqUrl('api');
    const cell0 = this.dbUrl('cell0');
    this.sections = {
      // One nova-api process per test deployment: the suite runs many at once on 2 cores
      // (the workers themselves are tested in api/frame-process).
      DEFAULT: {
        host: 'test-controller',
        transport_url: apiMq,
        state_path: this.dir,
        osapi_compute_workers: '1',
      },
      api_database: { connection: this.dbUrl('api') },
      // The "local cell" of this controller: cell0, so db sync has nothing extra to create.
      database: { connection: cell0 },
      cache: this.options.redis
        ? redisCache(this.id)
        : { enabled: 'false', backend: 'dogpile.cache.memory' },
      cells: { refresh_interval: '0.2', connect_timeout: '2' },
    };
    // `extra` adds to (and overrides) the sections option by option.
    for (const [section, values] of Object.entries(this.options.extra ?? {})) {
      this.sections[section] = { ...this.sections[section], ...values };
    }
    await manageOk(this.sections, 'api_db', 'sync');
    this.cellUrls.set('cell0', { db: cell0, mq: 'none:///' });
    await manageOk(this.sections, 'cell_v2', 'map_cell0', '--database_connection', cell0);
    for (const name of this.options.cells ?? []) {
      await this.addCell(name);
    }
    await manageOk(this.sections, 'db', 'sync');
  }
}
