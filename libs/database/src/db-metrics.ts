import type { DataSource, EntitySubscriberInterface } from 'typeorm';
import type { AfterQueryEvent } from 'typeorm/subscriber/event/QueryEvent';
import { dbQueryDuration } from '@nova/metrics';

/**
 * Time every query of a DataSource into nova_db_query_duration_seconds under
 * `database` (api, or a cell's name). TypeORM measures each query already and
 * tells subscribers; this only records it.
 */
export function meterQueries(dataSource: DataSource, database: string): void {
  const histogram = dbQueryDuration.labels({ database });
  const subscriber: EntitySubscriberInterface = {
    afterQuery(event: AfterQueryEvent<unknown>): void {
      if (event.success && event.executionTime !== undefined) {
        histogram.observe(event.executionTime / 1000);
      }
    },
  };
  // The subscriber list is read on every query: adding to it after initialize() is enough.
  dataSource.subscribers.push(subscriber);
}

/** Connections of a mysql2 pool (mysql2 keeps these counts in its queues). */
interface Mysql2Pool {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/** A DataSource's pool: connections in use, idle and requests waiting; none for SQLite. */
export function poolUsage(
  dataSource: DataSource,
): { used: number; idle: number; waiting: number } | undefined {
  if (!dataSource.isInitialized || dataSource.options.type !== 'mysql') {
    return undefined;
  }
  const pool = (dataSource.driver as unknown as { pool?: Mysql2Pool }).pool;
  if (!pool?._allConnections) {
    return undefined;
  }
  const all = pool._allConnections.length;
  const idle = pool._freeConnections?.length ?? 0;
  return { used: all - idle, idle, waiting: pool._connectionQueue?.length ?? 0 };
}
