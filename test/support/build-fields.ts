import type { BuildInstanceFields } from '@nova/compute-rpc';

/** A build request's instance fields (a tiny flavor, no network), for writing rows directly. */
export function buildFields(
  uuid: string,
  overrides: Partial<BuildInstanceFields> = {},
): BuildInstanceFields {
  return {
    uuid,
    display_name: 'fresh',
    display_description: null,
    project_id: 'project-a',
    user_id: 'user-a',
    image_ref: 'image',
    flavor: {
      id: 1,
      flavorid: '1',
      name: 'tiny',
      vcpus: 1,
      memory_mb: 64,
      root_gb: 1,
      ephemeral_gb: 0,
      swap: 0,
      extra_specs: {},
    },
    key_name: null,
    key_data: null,
    user_data: null,
    hostname: 'fresh',
    availability_zone: null,
    access_ip_v4: null,
    access_ip_v6: null,
    config_drive: null,
    launch_index: 0,
    reservation_id: 'r-1',
    metadata: {},
    tags: [],
    networks: 'none',
    created_at: new Date().toISOString(),
    ...overrides,
  };
}
