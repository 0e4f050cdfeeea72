import { In, type DataSource } from 'typeorm';
import type { InstanceActionRecord } from '@nova/servers';
import { InstanceAction, InstanceActionEvent } from '../entities';

/** os-instance-actions: every action of an instance, newest first, with its events. */
export async function instanceActions(
  ds: DataSource,
  uuid: string,
): Promise<InstanceActionRecord[]> {
  const actions = await ds
    .getRepository(InstanceAction)
    .find({ where: { instance_uuid: uuid }, order: { created_at: 'DESC', id: 'DESC' } });
  if (actions.length === 0) {
    return [];
  }
  const events = await ds.getRepository(InstanceActionEvent).find({
    where: { action_id: In(actions.map((a) => a.id)) },
    order: { id: 'ASC' },
  });
  return actions.map((a) => ({
    action: a.action ?? '',
    instance_uuid: a.instance_uuid,
    request_id: a.request_id ?? '',
    user_id: a.user_id,
    project_id: a.project_id,
    start_time: a.start_time,
    updated_at: a.updated_at ?? a.start_time,
    message: a.message,
    events: events
      .filter((e) => e.action_id === a.id)
      .map((e) => ({
        event: e.event ?? '',
        start_time: e.start_time,
        finish_time: e.finish_time,
        result: e.result,
        traceback: e.traceback,
        host: e.host,
        details: e.details,
      })),
  }));
}
