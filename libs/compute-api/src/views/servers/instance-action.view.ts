import type { InstanceActionEventRecord, InstanceActionRecord } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { hostId, usageTime } from './formatting';

/** Which event fields the caller sees (decided by policy and microversion). */
export interface EventVisibility {
  /** The events policy (admin): tracebacks. */
  readonly traceback: boolean;
  /** The events policy, from 2.62: the host name. */
  readonly host: boolean;
  /** 2.62: the opaque per-project host id, for everyone. */
  readonly hostId: boolean;
  /** 2.84 and the events:details policy. */
  readonly details: boolean;
  /** The project hostId is derived for. */
  readonly projectId: string | null;
}

/**
 * One instance action (samples 52-54, 60): `updated_at` from 2.58; `events`
 * only when visibility is given (the show of an action).
 */
export function instanceActionView(
  action: InstanceActionRecord,
  version: ApiVersion,
  events: EventVisibility | null,
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    action: action.action,
    instance_uuid: action.instance_uuid,
    request_id: action.request_id,
    user_id: action.user_id,
    project_id: action.project_id,
    start_time: usageTime(action.start_time),
    message: action.message,
  };
  if (version.atLeast('2.58')) {
    view['updated_at'] = usageTime(action.updated_at);
  }
  if (events) {
    view['events'] = action.events.map((e) => eventView(e, events));
  }
  return view;
}

function eventView(event: InstanceActionEventRecord, show: EventVisibility) {
  const view: Record<string, unknown> = {
    event: event.event,
    start_time: usageTime(event.start_time),
    finish_time: usageTime(event.finish_time),
    result: event.result,
  };
  if (show.traceback) {
    view['traceback'] = event.traceback;
  }
  if (show.host) {
    view['host'] = event.host;
  }
  if (show.hostId) {
    view['hostId'] = hostId(show.projectId ?? '', event.host);
  }
  if (show.details) {
    view['details'] = event.details;
  }
  return view;
}
