import fastify, { type FastifyInstance } from 'fastify';
import type { NovaConfig } from '@nova/config';
import { describeError } from '@nova/common';
import { getLogger } from '@nova/logging';
import { errorResponse, MAX_PASSWORD_BYTES, type MetadataHandler } from './metadata-handler';

const log = getLogger('metadata');

/** Bodies past this are refused before they are read (a password is at most 256 bytes). */
const BODY_LIMIT = 64 * 1024;

/** The metadata service's HTTP server: every path and method goes to the handler. */
export function metadataServer(handler: MetadataHandler): FastifyInstance {
  const server = fastify({ logger: false, bodyLimit: BODY_LIMIT });
  // Guests post their password as whatever content type their HTTP client picks.
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  server.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    url: '/*',
    handler: async (req, reply) => {
      const res = await handler.handle({
        method: req.method,
        path: req.url,
        headers: req.headers,
        remoteAddress: req.socket.remoteAddress,
        ...(Buffer.isBuffer(req.body) ? { body: req.body } : {}),
      });
      log.debug({ method: req.method, path: req.url, status: res.status }, 'metadata request');
      return reply.code(res.status).type(res.contentType).send(res.body);
    },
  });
  server.setErrorHandler((err: { statusCode?: number }, req, reply) => {
    const res =
      err.statusCode === 413
        ? errorResponse(400, 'Request is too large.')
        : err.statusCode && err.statusCode < 500
          ? errorResponse(400)
          : errorResponse(500);
    if (res.status === 500) {
      log.error({ err: describeError(err), path: req.url }, 'metadata request failed');
    }
    return reply.code(res.status).type(res.contentType).send(res.body);
  });
  return server;
}

/** A metadata server listening on `[DEFAULT] metadata_listen:metadata_listen_port`. */
export async function listenMetadata(
  handler: MetadataHandler,
  config: Pick<NovaConfig, 'DEFAULT'>,
): Promise<{ server: FastifyInstance; url: string }> {
  const server = metadataServer(handler);
  const { metadata_listen: host, metadata_listen_port: port } = config.DEFAULT;
  await server.listen({ host, port });
  const address = server.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  log.info(
    { host, port: bound, max_password_bytes: MAX_PASSWORD_BYTES },
    `metadata service listening on ${url}`,
  );
  return { server, url };
}
