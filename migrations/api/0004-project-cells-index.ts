import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { index } from '../support';

/**
 * The cells a project has instances in, read from the index alone (`[api]
 * instance_list_per_project_cells`): a DISTINCT over (project_id, cell_id)
 * touches one index entry per cell, however many servers the project has.
 */
const PROJECT_CELLS = index('instance_mappings', ['project_id', 'cell_id']);

export class ProjectCellsIndex0000000000004 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const present = (await runner.getTable('instance_mappings'))?.indices ?? [];
    if (!present.some((i) => i.name === PROJECT_CELLS.name)) {
      await runner.createIndex('instance_mappings', new TableIndex(PROJECT_CELLS));
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropIndex('instance_mappings', PROJECT_CELLS.name ?? '');
  }
}
