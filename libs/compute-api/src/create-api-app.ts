import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NovaConfig } from '@nova/config';
import { nestOptions } from '@nova/process';
import { ApiModule, type ApiAdapters } from './api.module';
import { AuthService, checkAuthConfig } from './auth/auth.service';
import { jsonBody } from './http/json-body';
import { installRequestHooks } from './http/request-hooks';
import { RouteTable } from './http/route-table';

/** Nova limits request bodies to 112 KiB (osapi_max_request_body_size). */
const MAX_BODY_BYTES = 114688;

/** The compute API application, initialised but not listening (tests inject requests). */
export async function createApiApp(
  config: NovaConfig,
  adapters: ApiAdapters,
): Promise<NestFastifyApplication> {
  checkAuthConfig(config);
  const routes = new RouteTable();
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    logger: false,
  });
  const fastify = adapter.getInstance();
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url));
  // Shutting down (SIGTERM): answer what is in flight, then close its connection, so the
  // server's close does not wait on clients keeping connections alive.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', async (_req, reply, payload) => {
    if (closing) {
      void reply.header('connection', 'close');
    }
    return payload;
  });
  // A long list's JSON comes as a Buffer: fastify's typings ask the serializer
  // for a string, but a Buffer is a final payload it sends as one (its "Type
  // of the final payload"); test/int/api/json-body.int-spec.ts holds it to that.
  fastify.setReplySerializer(jsonBody as (payload: unknown) => string);
  fastify.removeContentTypeParser('text/plain'); // JSON only: anything else is 415, as in Nova
  // Clients such as Tempest send `Content-Type: application/json` with every
  // request, bodiless DELETEs and PUTs (a server tag) too: an empty body is no
  // body, as in Nova; a route that needs one says so in its own validation.
  const json = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') {
      done(null, undefined);
    } else {
      void json(req, body as string, done);
    }
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forConfig(config, routes, adapters),
    adapter,
    {
      ...nestOptions,
      bodyParser: false,
    },
  );
  installRequestHooks(fastify, app.get(AuthService));
  await app.init();
  return app;
}
