import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The security groups an instance asked for, by name (JSON list). Nova keeps
 * them on the instance's Neutron ports; on the built-in flat network there are
 * no ports, so the instance records them itself.
 */
export class InstanceSecurityGroups0000000000002 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn(
      'instance_extra',
      new TableColumn({ name: 'security_groups', type: 'text', isNullable: true }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('instance_extra', 'security_groups');
  }
}
