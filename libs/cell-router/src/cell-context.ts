import type { DataSource } from 'typeorm';
import type { RequestContext } from '@nova/common';
import type { RpcTransport } from '@nova/rpc';
import type { Cell } from './cell';

/** A cell's database and queue, reached through the pool (so URL changes are honoured). */
export interface CellHandle {
  readonly uuid: string;
  readonly name: string | null;
  readonly mapping: Cell;
  db(): Promise<DataSource>;
  /** Run a read that may lag (a list) on the cell's read replica, if it has one; else on db(). */
  read<T>(fn: (ds: DataSource) => Promise<T>): Promise<T>;
  mq(): Promise<RpcTransport>;
}

/** A request context bound to one cell (Nova's `target_cell`). Cell repositories take only this. */
export interface CellContext extends RequestContext {
  readonly cell: CellHandle;
}
