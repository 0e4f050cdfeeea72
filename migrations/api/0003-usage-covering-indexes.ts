import type { MigrationInterface, QueryRunner } from 'typeorm';
import { widenIndexes, type IndexWidening } from '../support';

/**
 * Indexes that hold every column a project's usage count reads (quota checks
 * sum the allocations of all the project's consumers): the count walks the
 * project's consumers and their allocations in the indexes alone, without a
 * row lookup each, and MariaDB's planner no longer starts from the resource
 * class (every allocation of a class in the region).
 */
const WIDENED: readonly IndexWidening[] = [
  {
    table: 'consumers',
    narrow: ['project_id', 'user_id'],
    wide: ['project_id', 'user_id', 'uuid'],
  },
  {
    table: 'allocations',
    narrow: ['consumer_id'],
    wide: ['consumer_id', 'resource_class_id', 'used'],
  },
];

export class UsageCoveringIndexes0000000000003 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await widenIndexes(runner, WIDENED);
  }

  async down(runner: QueryRunner): Promise<void> {
    await widenIndexes(runner, WIDENED, true);
  }
}
