import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Invalid, SingleFlight } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { closeDataSource, meterQueries, openDataSource, poolUsage } from '@nova/database';
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
      const db = this.config.api_database;
      this.dataSource = await openDataSource(this.url, {
        entities: API_ENTITIES,
        poolSize: db.max_pool_size,
        connectTimeoutMs: db.pool_timeout * 1000,
        idleTimeoutMs: db.connection_recycle_time * 1000,
      });
      meterQueries(this.dataSource, 'api');
      return this.dataSource;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.unreport();
    await closeDataSource(this.dataSource);
    this.dataSource = undefined;
  }
}
