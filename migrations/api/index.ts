import type { MigrationClass } from '@nova/database';
import { InitialApiSchema0000000000001 } from './0001-initial-api-schema';
import { FixedIps0000000000002 } from './0002-fixed-ips';
import { UsageCoveringIndexes0000000000003 } from './0003-usage-covering-indexes';
import { ProjectCellsIndex0000000000004 } from './0004-project-cells-index';

/** API database migrations, oldest first. `nova-manage api_db sync` applies them. */
export const API_MIGRATIONS: readonly MigrationClass[] = [
  InitialApiSchema0000000000001,
  FixedIps0000000000002,
  UsageCoveringIndexes0000000000003,
  ProjectCellsIndex0000000000004,
];
