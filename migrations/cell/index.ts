import type { MigrationClass } from '@nova/database';
import { InitialCellSchema0000000000001 } from './0001-initial-cell-schema';

/** Cell database migrations, oldest first. `nova-manage db sync` applies them to every cell. */
export const CELL_MIGRATIONS: readonly MigrationClass[] = [InitialCellSchema0000000000001];
