import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@nova/common';

/**
 * The context with the caller's X-Auth-Token, for calls to other services
 * (Glance) that must see what the caller may see.
 */
export function withAuthToken(ctx: RequestContext, req: FastifyRequest): RequestContext {
  if (ctx.authToken !== undefined) {
    return ctx;
  }
  const raw = req.headers['x-auth-token'];
  const token = Array.isArray(raw) ? raw[0] : raw;
  return token ? { ...ctx, authToken: token } : ctx;
}
