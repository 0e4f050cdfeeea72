import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTables, dropTables, index } from '../support';

/**
 * Addresses of the built-in flat network. They are global (one network spans
 * every cell), so they live in the API database, unique per address.
 */
export class FixedIps0000000000002 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await createTables(runner, [
      {
        name: 'fixed_ips',
        columns: [
          col.id(),
          col.str('network', 255, false),
          col.str('address', 39, false),
          col.str('mac', 17, false),
          col.uuid('instance_uuid'),
          ...col.timestamps(),
        ],
        indices: [
          index('fixed_ips', ['network', 'address'], true),
          index('fixed_ips', ['instance_uuid']),
        ],
      },
    ]);
  }

  async down(runner: QueryRunner): Promise<void> {
    await dropTables(runner, ['fixed_ips']);
  }
}
