import type { MigrationInterface, QueryRunner } from 'typeorm';
import { col, createTables, dropTables, fk, index, mediumText, type TableSpec } from '../support';

/** The API (global) database: the cells index, build-time records and global resources. */
export class InitialApiSchema0000000000001 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await createTables(runner, [
      ...cellsIndex(runner),
      ...flavorsAndKeypairs(),
      ...quotas(),
      ...aggregates(),
      ...serverGroups(),
      ...placement(),
    ]);
  }

  async down(runner: QueryRunner): Promise<void> {
    await dropTables(runner, ALL_TABLES);
  }
}

const ALL_TABLES = [
  'cell_mappings',
  'host_mappings',
  'instance_mappings',
  'build_requests',
  'request_specs',
  'flavors',
  'flavor_extra_specs',
  'flavor_projects',
  'key_pairs',
  'quotas',
  'project_user_quotas',
  'quota_classes',
  'aggregates',
  'aggregate_hosts',
  'aggregate_metadata',
  'instance_groups',
  'instance_group_policy',
  'instance_group_member',
  'resource_classes',
  'resource_providers',
  'inventories',
  'consumers',
  'allocations',
  'traits',
  'resource_provider_traits',
];

function cellsIndex(runner: QueryRunner): TableSpec[] {
  return [
    {
      name: 'cell_mappings',
      columns: [
        col.id(),
        col.uuid('uuid'),
        col.str('name', 255),
        col.text('transport_url', false),
        col.text('database_connection', false),
        col.bool('disabled'),
        ...col.timestamps(),
      ],
      indices: [index('cell_mappings', ['uuid'], true)],
    },
    {
      name: 'host_mappings',
      columns: [
        col.id(),
        col.int('cell_id', false),
        col.str('host', 255, false),
        ...col.timestamps(),
      ],
      indices: [index('host_mappings', ['host'], true), index('host_mappings', ['cell_id'])],
      foreignKeys: [fk('cell_id', 'cell_mappings')],
    },
    {
      name: 'instance_mappings',
      columns: [
        col.id(),
        col.uuid('instance_uuid'),
        col.int('cell_id'),
        col.str('project_id', 255, false),
        col.str('user_id', 255),
        col.bool('queued_for_delete'),
        ...col.timestamps(),
      ],
      indices: [
        index('instance_mappings', ['instance_uuid'], true),
        index('instance_mappings', ['project_id', 'user_id']),
        index('instance_mappings', ['cell_id']),
      ],
      foreignKeys: [fk('cell_id', 'cell_mappings')],
    },
    {
      name: 'build_requests',
      columns: [
        col.id(),
        col.str('project_id', 255, false),
        col.str('user_id', 255),
        col.uuid('instance_uuid'),
        mediumText(runner, 'instance'),
        mediumText(runner, 'block_device_mappings'),
        col.text('tags'),
        ...col.timestamps(),
      ],
      indices: [
        index('build_requests', ['instance_uuid'], true),
        index('build_requests', ['project_id']),
      ],
    },
    {
      name: 'request_specs',
      columns: [
        col.id(),
        col.uuid('instance_uuid'),
        mediumText(runner, 'spec', false),
        ...col.timestamps(),
      ],
      indices: [index('request_specs', ['instance_uuid'], true)],
    },
  ];
}

function flavorsAndKeypairs(): TableSpec[] {
  return [
    {
      name: 'flavors',
      columns: [
        col.id(),
        col.str('name', 255, false),
        col.int('memory_mb', false),
        col.int('vcpus', false),
        col.int('swap', false, 0),
        col.int('vcpu_weight'),
        col.str('flavorid', 255, false),
        col.float('rxtx_factor', true, 1),
        col.int('root_gb'),
        col.int('ephemeral_gb'),
        col.bool('disabled'),
        col.bool('is_public', true),
        col.text('description'),
        ...col.timestamps(),
      ],
      indices: [index('flavors', ['name'], true), index('flavors', ['flavorid'], true)],
    },
    {
      name: 'flavor_extra_specs',
      columns: [
        col.id(),
        col.int('flavor_id', false),
        col.str('key', 255, false),
        col.str('value', 255),
        ...col.timestamps(),
      ],
      indices: [
        index('flavor_extra_specs', ['flavor_id', 'key'], true),
        index('flavor_extra_specs', ['key']),
      ],
      foreignKeys: [fk('flavor_id', 'flavors', 'CASCADE')],
    },
    {
      name: 'flavor_projects',
      columns: [
        col.id(),
        col.int('flavor_id', false),
        col.str('project_id', 255, false),
        ...col.timestamps(),
      ],
      indices: [index('flavor_projects', ['flavor_id', 'project_id'], true)],
      foreignKeys: [fk('flavor_id', 'flavors', 'CASCADE')],
    },
    {
      name: 'key_pairs',
      columns: [
        col.id(),
        col.str('name', 255, false),
        col.str('user_id', 255, false),
        col.str('fingerprint', 255),
        col.text('public_key'),
        col.str('type', 10, false),
        ...col.timestamps(),
      ],
      indices: [index('key_pairs', ['user_id', 'name'], true)],
    },
  ];
}

function quotas(): TableSpec[] {
  return [
    {
      name: 'quotas',
      columns: [
        col.id(),
        col.str('project_id', 255, false),
        col.str('resource', 255, false),
        col.int('hard_limit'),
        ...col.timestamps(),
      ],
      indices: [index('quotas', ['project_id', 'resource'], true)],
    },
    {
      name: 'project_user_quotas',
      columns: [
        col.id(),
        col.str('project_id', 255, false),
        col.str('user_id', 255, false),
        col.str('resource', 255, false),
        col.int('hard_limit'),
        ...col.timestamps(),
      ],
      indices: [index('project_user_quotas', ['user_id', 'project_id', 'resource'], true)],
    },
    {
      name: 'quota_classes',
      columns: [
        col.id(),
        col.str('class_name', 255, false),
        col.str('resource', 255, false),
        col.int('hard_limit'),
        ...col.timestamps(),
      ],
      indices: [index('quota_classes', ['class_name', 'resource'], true)],
    },
  ];
}

function aggregates(): TableSpec[] {
  return [
    {
      name: 'aggregates',
      columns: [col.id(), col.uuid('uuid'), col.str('name', 255, false), ...col.timestamps()],
      indices: [index('aggregates', ['uuid'], true), index('aggregates', ['name'], true)],
    },
    {
      name: 'aggregate_hosts',
      columns: [
        col.id(),
        col.str('host', 255, false),
        col.int('aggregate_id', false),
        ...col.timestamps(),
      ],
      indices: [
        index('aggregate_hosts', ['host', 'aggregate_id'], true),
        index('aggregate_hosts', ['aggregate_id']),
      ],
      foreignKeys: [fk('aggregate_id', 'aggregates', 'CASCADE')],
    },
    {
      name: 'aggregate_metadata',
      columns: [
        col.id(),
        col.int('aggregate_id', false),
        col.str('key', 255, false),
        col.str('value', 255, false),
        ...col.timestamps(),
      ],
      indices: [
        index('aggregate_metadata', ['aggregate_id', 'key'], true),
        index('aggregate_metadata', ['key']),
      ],
      foreignKeys: [fk('aggregate_id', 'aggregates', 'CASCADE')],
    },
  ];
}

function serverGroups(): TableSpec[] {
  return [
    {
      name: 'instance_groups',
      columns: [
        col.id(),
        col.uuid('uuid'),
        col.str('name', 255),
        col.str('user_id', 255),
        col.str('project_id', 255),
        ...col.timestamps(),
      ],
      indices: [index('instance_groups', ['uuid'], true), index('instance_groups', ['project_id'])],
    },
    {
      name: 'instance_group_policy',
      columns: [
        col.id(),
        col.str('policy', 255, false),
        col.text('rules'),
        col.int('group_id', false),
        ...col.timestamps(),
      ],
      indices: [index('instance_group_policy', ['group_id'])],
      foreignKeys: [fk('group_id', 'instance_groups', 'CASCADE')],
    },
    {
      name: 'instance_group_member',
      columns: [
        col.id(),
        col.uuid('instance_uuid'),
        col.int('group_id', false),
        ...col.timestamps(),
      ],
      indices: [
        index('instance_group_member', ['instance_uuid']),
        index('instance_group_member', ['group_id', 'instance_uuid'], true),
      ],
      foreignKeys: [fk('group_id', 'instance_groups', 'CASCADE')],
    },
  ];
}

/** Resource tracking (Placement's model, kept in the API database). */
function placement(): TableSpec[] {
  return [
    {
      name: 'resource_classes',
      columns: [col.id(), col.str('name', 255, false), ...col.timestamps()],
      indices: [index('resource_classes', ['name'], true)],
    },
    {
      name: 'resource_providers',
      columns: [
        col.id(),
        col.uuid('uuid'),
        col.str('name', 200, false),
        col.int('generation', false, 0),
        col.int('root_provider_id'),
        col.int('parent_provider_id'),
        ...col.timestamps(),
      ],
      indices: [
        index('resource_providers', ['uuid'], true),
        index('resource_providers', ['name'], true),
      ],
    },
    {
      name: 'inventories',
      columns: [
        col.id(),
        col.int('resource_provider_id', false),
        col.int('resource_class_id', false),
        col.int('total', false),
        col.int('reserved', false, 0),
        col.int('min_unit', false, 1),
        col.int('max_unit', false),
        col.int('step_size', false, 1),
        col.float('allocation_ratio', false, 1),
        ...col.timestamps(),
      ],
      indices: [index('inventories', ['resource_provider_id', 'resource_class_id'], true)],
      foreignKeys: [
        fk('resource_provider_id', 'resource_providers', 'CASCADE'),
        fk('resource_class_id', 'resource_classes'),
      ],
    },
    {
      name: 'consumers',
      columns: [
        col.id(),
        col.uuid('uuid'),
        col.str('project_id', 255, false),
        col.str('user_id', 255, false),
        col.int('generation', false, 0),
        ...col.timestamps(),
      ],
      indices: [index('consumers', ['uuid'], true), index('consumers', ['project_id', 'user_id'])],
    },
    {
      name: 'allocations',
      columns: [
        col.id(),
        col.int('resource_provider_id', false),
        col.uuid('consumer_id'),
        col.int('resource_class_id', false),
        col.int('used', false),
        ...col.timestamps(),
      ],
      indices: [
        index('allocations', ['consumer_id']),
        index('allocations', ['resource_provider_id', 'resource_class_id']),
      ],
      foreignKeys: [
        fk('resource_provider_id', 'resource_providers', 'CASCADE'),
        fk('resource_class_id', 'resource_classes'),
      ],
    },
    {
      name: 'traits',
      columns: [col.id(), col.str('name', 255, false), ...col.timestamps()],
      indices: [index('traits', ['name'], true)],
    },
    {
      name: 'resource_provider_traits',
      columns: [
        col.id(),
        col.int('resource_provider_id', false),
        col.int('trait_id', false),
        ...col.timestamps(),
      ],
      indices: [index('resource_provider_traits', ['resource_provider_id', 'trait_id'], true)],
      foreignKeys: [
        fk('resource_provider_id', 'resource_providers', 'CASCADE'),
        fk('trait_id', 'traits', 'CASCADE'),
      ],
    },
  ];
}
