import 'fastify';
import type { RequestContext } from '@nova/common';
import type { ApiVersion } from './api-version';

/** What the request hooks learn about a request before routing. */
export interface ApiRequestState {
  readonly requestId: string;
  readonly version: ApiVersion;
  /** Undefined only on unauthenticated routes (version documents). */
  readonly ctx?: RequestContext;
}

declare module 'fastify' {
  interface FastifyRequest {
    nova: ApiRequestState;
  }
}
