import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Invalid, SingleFlight } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import {
  closeDataSource,
  meterQueries,
  openDataSource,
  poolUsage,
  ReplicaReads,
  replicaUrlFor,
} from '@nova/database';
import { addCellConnectionSource } from '@nova/metrics';
import { API_ENTITIES } from './entities';

/**
 * The API database, opened on first use (so `nova-manage api_db sync` can create it
 * first) and closed at shutdown.
 */
@Injectable()
export class ApiDatabase implements OnApplicationShutdown {
  private readonly opening = new SingleFlight<'api', DataSource>();
  private dataSource?: DataSource;
  /** `[api_database] slave_connection`, decided on first read. */
  private replica?: ReplicaReads | null;
  /** The API database is reported among the cells' pools as `api` (Nova's API cell). */
  private readonly unreport = addCellConnectionSource({
    cellStates: () => {
      const ds = this.dataSource;
      if (!ds?.isInitialized) {
        return [];
      }
      const pool = poolUsage(ds);
      return [pool ? { cell: 'api', state: 'open', pool } : { cell: 'api', state: 'open' }];
    },
  });

  constructor(@Inject(NOVA_CONFIG) private readonly config: NovaConfig) {}

  get url(): string {
    const url = this.config.api_database.connection;
    if (!url) {
      throw new Invalid('[api_database] connection is not set in the configuration');
    }
    return url;
  }

  async get(): Promise<DataSource> {
    if (this.dataSource?.isInitialized) {
      return this.dataSource;
    }
    return this.opening.run('api', async () => {
      this.dataSource = await this.open(this.url);
      meterQueries(this.dataSource, 'api');
      return this.dataSource;
    });
  }

  /**
   * Run a read that may lag behind the latest writes (a list) on the read replica
   * when `[api_database] slave_connection` is set, else on the primary. Never for
   * a write, nor for a read whose result must include what was just written.
   */
  async read<T>(fn: (ds: DataSource) => Promise<T>): Promise<T> {
    if (this.replica === undefined) {
      const url = replicaUrlFor(
        this.url,
        this.config.api_database.slave_connection,
        '[api_database]',
      );
      this.replica = url ? new ReplicaReads(url, (u) => this.openReplica(u), 'api') : null;
    }
    return this.replica ? this.replica.run(() => this.get(), fn) : fn(await this.get());
  }

  async onApplicationShutdown(): Promise<void> {
    this.unreport();
    await this.replica?.close();
    await closeDataSource(this.dataSource);
    this.dataSource = undefined;
  }

  private async openReplica(url: string): Promise<DataSource> {
    const ds = await this.open(url);
    meterQueries(ds, 'api_replica');
    return ds;
  }

  private open(url: string): Promise<DataSource> {
    const db = this.config.api_database;
    return openDataSource(url, {
      entities: API_ENTITIES,
      poolSize: db.max_pool_size,
      connectTimeoutMs: db.pool_timeout * 1000,
      idleTimeoutMs: db.connection_recycle_time * 1000,
    });
  }
}
