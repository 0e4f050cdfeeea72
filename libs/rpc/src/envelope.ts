import type { RequestContext } from '@nova/common';

/** Where a message goes: a topic's shared queue, one server's queue, or every server (fanout). */
export interface RpcTarget {
  readonly topic: string;
  readonly server?: string;
  readonly fanout?: boolean;
}

/** The request context as it crosses the wire (snake_case, as Nova's). */
export interface WireContext {
  readonly request_id: string;
  readonly global_request_id?: string;
  readonly user_id: string | null;
  readonly project_id: string | null;
  readonly roles: readonly string[];
  readonly is_admin: boolean;
  readonly read_deleted: RequestContext['readDeleted'];
}

/**
 * Every message: which method, its arguments, the version of the method's API
 * the sender speaks (so receivers can refuse or adapt during rolling upgrades),
 * and the caller's context for logs and instance actions.
 */
export interface RpcEnvelope {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly version: string;
  readonly context: WireContext;
}

/** An error as it crosses the wire. */
export interface WireError {
  readonly name: string;
  readonly code: number;
  readonly message: string;
  readonly kwargs: Record<string, unknown>;
}

export type RpcReply = { readonly result: unknown } | { readonly failure: WireError };

export function toWireContext(ctx: RequestContext): WireContext {
  return {
    request_id: ctx.requestId,
    ...(ctx.globalRequestId ? { global_request_id: ctx.globalRequestId } : {}),
    user_id: ctx.userId,
    project_id: ctx.projectId,
    roles: ctx.roles,
    is_admin: ctx.isAdmin,
    read_deleted: ctx.readDeleted,
  };
}

export function fromWireContext(wire: WireContext): RequestContext {
  return {
    requestId: wire.request_id,
    ...(wire.global_request_id ? { globalRequestId: wire.global_request_id } : {}),
    userId: wire.user_id,
    projectId: wire.project_id,
    roles: wire.roles,
    isAdmin: wire.is_admin,
    readDeleted: wire.read_deleted,
  };
}

export function envelope(
  ctx: RequestContext,
  method: string,
  args: Record<string, unknown>,
  version: string,
): RpcEnvelope {
  return { method, args, version, context: toWireContext(ctx) };
}

/** The routing key of a target on the topic exchange. */
export function routingKey(target: RpcTarget): string {
  return target.server ? `${target.topic}.${target.server}` : target.topic;
}
