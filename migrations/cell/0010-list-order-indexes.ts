import type { MigrationInterface, QueryRunner } from 'typeorm';
import { widenIndexes, type IndexWidening } from '../support';

/**
 * A listing's default order is `created_at` then `uuid` (the tie-breaker), both
 * descending. With `uuid` in the index after `created_at`, a page of 50 reads
 * 50 index entries; without, MariaDB read and sorted every one of the
 * project's (or, for all_tenants, the cell's) instances for each page.
 */
const WIDENED: readonly IndexWidening[] = [
  {
    table: 'instances',
    narrow: ['project_id', 'deleted', 'created_at'],
    wide: ['project_id', 'deleted', 'created_at', 'uuid'],
  },
  {
    table: 'instances',
    narrow: ['deleted', 'created_at'],
    wide: ['deleted', 'created_at', 'uuid'],
  },
];

export class ListOrderIndexes0000000000010 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await widenIndexes(runner, WIDENED);
  }

  async down(runner: QueryRunner): Promise<void> {
    await widenIndexes(runner, WIDENED, true);
  }
}
