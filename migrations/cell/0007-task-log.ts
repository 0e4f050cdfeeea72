import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTables, dropTables, index } from '../support';

/**
 * Nova's task_log: one row per periodic task run on a host for a period
 * (the instance usage audit, os-instance_usage_audit_log). The unique key makes
 * "begin the task unless it ran" one insert.
 */
export class TaskLog0000000000007 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await createTables(runner, [
      {
        name: 'task_log',
        columns: [
          col.id(),
          col.str('task_name', 255, false),
          col.str('state', 255, false),
          col.str('host', 255, false),
          col.datetime('period_beginning', false),
          col.datetime('period_ending', false),
          col.str('message', 255, false),
          col.int('task_items', true, 0),
          col.int('errors', true, 0),
          ...col.timestamps(),
          ...col.softDelete(),
        ],
        indices: [
          index(
            'task_log',
            ['task_name', 'host', 'period_beginning', 'period_ending', 'deleted'],
            true,
          ),
          index('task_log', ['period_beginning', 'period_ending']),
        ],
      },
    ]);
  }

  async down(runner: QueryRunner): Promise<void> {
    await dropTables(runner, ['task_log']);
  }
}
