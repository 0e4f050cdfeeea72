import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NovaConfig } from '@nova/config';
import { nestOptions } from '@nova/process';
import { ApiModule, type ApiAdapters } from './api.module';
import { AuthService, checkAuthConfig } from './auth/auth.service';
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
  fastify.removeContentTypeParser('text/plain'); // JSON only: anything else is 415, as in Nova
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
