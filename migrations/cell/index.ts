import type { MigrationClass } from '@nova/database';
import { InitialCellSchema0000000000001 } from './0001-initial-cell-schema';
import { InstanceSecurityGroups0000000000002 } from './0002-instance-security-groups';
import { TaskLog0000000000007 } from './0007-task-log';
import { ShadowTables0000000000009 } from './0009-shadow-tables';
import { ListOrderIndexes0000000000010 } from './0010-list-order-indexes';

/** Cell database migrations, oldest first. `nova-manage db sync` applies them to every cell. */
export const CELL_MIGRATIONS: readonly MigrationClass[] = [
  InitialCellSchema0000000000001,
  InstanceSecurityGroups0000000000002,
  TaskLog0000000000007,
  ShadowTables0000000000009,
  ListOrderIndexes0000000000010,
];
