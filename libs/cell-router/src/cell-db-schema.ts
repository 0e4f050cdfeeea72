import type { MixedList } from 'typeorm';
import type { MigrationClass } from '@nova/database';

/**
 * What a cell database looks like. The router opens cell databases but does not
 * know cell entities (libs never import cells); the app passes them in.
 */
export interface CellDbSchema {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: MixedList<Function>;
  readonly migrations: readonly MigrationClass[];
}

export const CELL_DB_SCHEMA = Symbol('CELL_DB_SCHEMA');
