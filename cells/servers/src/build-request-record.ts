import type { BuildInstanceFields } from '@nova/compute-rpc';
import { TaskState, VmState } from '@nova/compute-state';
import type { ServerRecord } from '@nova/servers';

/** A server not yet in any cell, as the API shows it: BUILD, scheduling, no host. */
export function buildRequestRecord(fields: BuildInstanceFields): ServerRecord {
  const created = new Date(fields.created_at);
  const { id, ...flavor } = fields.flavor;
  return {
    uuid: fields.uuid,
    display_name: fields.display_name,
    display_description: fields.display_description,
    user_id: fields.user_id,
    project_id: fields.project_id,
    image_ref: fields.image_ref,
    flavor,
    key_name: fields.key_name,
    key_data: fields.key_data,
    user_data: fields.user_data,
    hostname: fields.hostname,
    vm_state: VmState.BUILDING,
    task_state: TaskState.SCHEDULING,
    power_state: 0,
    host: null,
    node: null,
    availability_zone: fields.availability_zone,
    access_ip_v4: fields.access_ip_v4,
    access_ip_v6: fields.access_ip_v6,
    config_drive: fields.config_drive,
    locked: false,
    locked_by: null,
    locked_reason: null,
    launch_index: fields.launch_index,
    reservation_id: fields.reservation_id,
    progress: 0,
    launched_at: null,
    terminated_at: null,
    created_at: created,
    updated_at: created,
    deleted: false,
    metadata: fields.metadata,
    tags: [...fields.tags].sort(),
    addresses: {},
    fault: null,
    security_groups: fields.security_groups ?? [],
    instance_name: null,
    root_device_name: null,
    cell_uuid: null,
    instance_type_id: id,
    auto_disk_config: fields.auto_disk_config ?? false,
  };
}
