import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { index } from '../support';

/**
 * Indexes that hold every column a project's usage count reads (quota checks
 * sum the allocations of all the project's consumers): the count walks the
 * project's consumers and their allocations in the indexes alone, without a
 * row lookup each, and MariaDB's planner no longer starts from the resource
 * class (every allocation of a class in the region). They replace the
 * narrower indexes they begin with.
 */
const CHANGES: ReadonlyArray<{ table: string; old: string[]; wide: string[] }> = [
  { table: 'consumers', old: ['project_id', 'user_id'], wide: ['project_id', 'user_id', 'uuid'] },
  {
    table: 'allocations',
    old: ['consumer_id'],
    wide: ['consumer_id', 'resource_class_id', 'used'],
  },
];

export class UsageCoveringIndexes0000000000003 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    for (const { table, old, wide } of CHANGES) {
      await runner.createIndex(table, new TableIndex(index(table, wide)));
      await runner.dropIndex(table, index(table, old).name ?? '');
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const { table, old, wide } of CHANGES) {
      await runner.createIndex(table, new TableIndex(index(table, old)));
      await runner.dropIndex(table, index(table, wide).name ?? '');
    }
  }
}
