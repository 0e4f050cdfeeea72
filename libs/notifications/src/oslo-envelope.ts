import { randomUUID } from 'node:crypto';
import type { RequestContext } from '@nova/common';

export type Priority = 'INFO' | 'ERROR' | 'WARN' | 'DEBUG' | 'CRITICAL';

/** One notification as oslo.messaging's Notifier sends it (the "oslo.message" inside the envelope). */
export interface NotificationMessage {
  readonly message_id: string;
  readonly publisher_id: string;
  readonly event_type: string;
  readonly priority: Priority;
  readonly payload: unknown;
  /** oslo's `str(utcnow())`: `2012-10-29 13:42:11.123456`. */
  readonly timestamp: string;
  readonly [context: `_context_${string}`]: unknown;
}

export function notificationMessage(
  ctx: RequestContext | null,
  publisherId: string,
  eventType: string,
  priority: Priority,
  payload: unknown,
  now = new Date(),
): NotificationMessage {
  return {
    message_id: randomUUID(),
    publisher_id: publisherId,
    event_type: eventType,
    priority,
    payload,
    timestamp: `${now.toISOString().replace('T', ' ').replace('Z', '')}000`,
    // oslo.messaging flattens the request context into the message with this prefix.
    ...(ctx
      ? {
          _context_request_id: ctx.requestId,
          _context_global_request_id: ctx.globalRequestId ?? null,
          _context_user_id: ctx.userId,
          _context_project_id: ctx.projectId,
          _context_roles: ctx.roles,
          _context_is_admin: ctx.isAdmin,
        }
      : {}),
  };
}

/** oslo.messaging's wire envelope (format 2.0): the message serialized inside. */
export function osloEnvelope(message: NotificationMessage): string {
  return JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(message) });
}
