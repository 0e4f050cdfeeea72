import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFound, type RequestContext } from '@nova/common';
import { getLogger, runWithLogContext } from '@nova/logging';
import { httpRequestDuration, httpRequests } from '@nova/metrics';
import type { AuthService } from '../auth/auth.service';
import { Unauthorized } from '../auth/unauthorized';
import type { ApiRequestState } from './api-request';
import { MIN_API_VERSION, negotiateVersion } from './api-version';
import { isLegacyV2 } from './api-paths';
import { faultFor } from './faults';
import { sendFault } from './send-fault';

const log = getLogger('nova-api');
const GLOBAL_REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VARY = 'OpenStack-API-Version, X-OpenStack-Nova-API-Version';

/** Paths answered without a token: the version documents. */
function isVersionDocument(path: string): boolean {
  return ['/', '/v2.1', '/v2.1/', '/v2', '/v2/'].includes(path);
}

/** The OpenAPI document describes the API to anyone, as the version documents do. */
const OPENAPI_PATH = '/v2.1/openapi.json';

/**
 * What happens to every request before routing: a request id (and the client's
 * global request id), microversion negotiation with the version headers, and
 * authentication into a request context. Afterwards, one access-log line.
 * (Unknown routes and Fastify's own errors reach the FaultFilter through Nest.)
 */
export function installRequestHooks(fastify: FastifyInstance, auth: AuthService): void {
  fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const requestId = `req-${randomUUID()}`;
    reply.header('x-openstack-request-id', requestId);
    reply.header('x-compute-request-id', requestId);
    const clientId = req.headers['x-openstack-request-id'];
    const globalRequestId =
      typeof clientId === 'string' && GLOBAL_REQUEST_ID.test(clientId) ? clientId : undefined;
    const path = req.url.split('?')[0] ?? req.url;
    if (path === '/') {
      req.nova = { requestId, version: MIN_API_VERSION };
      return;
    }
    const legacy = isLegacyV2(path);
    const negotiated = legacy
      ? { requested: MIN_API_VERSION.toString(), version: MIN_API_VERSION }
      : negotiateVersion(req.headers);
    if (!legacy) {
      reply.header('OpenStack-API-Version', `compute ${negotiated.requested}`);
      reply.header('X-OpenStack-Nova-API-Version', negotiated.requested);
      reply.header('Vary', VARY);
    }
    if (!negotiated.version) {
      return sendFault(reply, faultFor(negotiated.error, requestId).fault);
    }
    let ctx: RequestContext | undefined;
    if (!isVersionDocument(path) && path !== OPENAPI_PATH) {
      try {
        const identity = await auth.authenticate(req.headers);
        const token = req.headers['x-auth-token'];
        ctx = {
          requestId,
          ...(globalRequestId ? { globalRequestId } : {}),
          userId: identity.userId,
          projectId: identity.projectId,
          roles: identity.roles,
          isAdmin: identity.roles.includes('admin'),
          readDeleted: 'no',
          // Forwarded to Glance (and Neutron) so they apply the caller's rights.
          ...(typeof token === 'string' && token ? { authToken: token } : {}),
        };
      } catch (err) {
        if (err instanceof Unauthorized) {
          reply.header('WWW-Authenticate', err.challenge);
          return reply
            .code(401)
            .type('application/json; charset=UTF-8')
            .send({ error: { code: 401, title: 'Unauthorized', message: err.message } });
        }
        return sendFault(reply, faultFor(err, requestId).fault);
      }
    }
    req.nova = {
      requestId,
      version: negotiated.version,
      ...(ctx ? { ctx } : {}),
    } satisfies ApiRequestState;
    // Nova's routes do not match a resource path with a trailing slash (Tempest checks
    // `DELETE /os-security-groups/` is 404); Fastify's router would ignore the slash.
    if (path.endsWith('/') && !isVersionDocument(path)) {
      return sendFault(
        reply,
        faultFor(new NotFound('The resource could not be found.'), requestId).fault,
      );
    }
  });

  // Later hooks and the handler run inside the request's log context.
  fastify.addHook('preHandler', (req, _reply, done) => {
    runWithLogContext(
      {
        requestId: req.nova?.requestId,
        ...(req.nova?.ctx?.globalRequestId
          ? { globalRequestId: req.nova.ctx.globalRequestId }
          : {}),
      },
      done,
    );
  });

  fastify.addHook('onResponse', async (req, reply) => {
    // The route template, not the URL: bounded label values (unmatched paths share one).
    const labels = {
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    log.info(
      {
        requestId: req.nova?.requestId,
        method: req.method,
        url: req.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        version: req.nova?.version.toString(),
      },
      `${req.method} ${req.url} status: ${reply.statusCode}`,
    );
  });
}
