import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@nova/common';
import type { ApiVersion } from './api-version';

export const VERSIONS_KEY = 'nova:versions';
export const POLICY_KEY = 'nova:policy';
export const PUBLIC_KEY = 'nova:public';
export const ACTIONS_KEY = 'nova:actions';

export interface VersionBounds {
  readonly min?: string;
  readonly max?: string;
}

/** The microversions a route exists in; outside them it answers 404, as in Nova. */
export const Versions = (min?: string, max?: string) =>
  SetMetadata(VERSIONS_KEY, { min, max } satisfies VersionBounds);

/** The policy rule a route needs, checked against the caller's own project and user. */
export const Authorize = (rule: string) => SetMetadata(POLICY_KEY, rule);

/**
 * The actions a POST .../action body may name: each one's microversions and
 * body schema by the microversion it starts at (null: the value is not looked at).
 */
export interface ActionTable {
  readonly [name: string]: {
    readonly min?: string;
    readonly max?: string;
    readonly bodies: Readonly<Record<string, (new () => object) | null>>;
  };
}

/** The table a route dispatches its action body by (the OpenAPI document lists its bodies). */
export const ActionBodies = (table: ActionTable) => SetMetadata(ACTIONS_KEY, table);

/** No token needed (version documents). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The authenticated request context. */
export const Ctx = createParamDecorator((_: unknown, host: ExecutionContext): RequestContext => {
  const ctx = host.switchToHttp().getRequest<FastifyRequest>().nova.ctx;
  if (!ctx) {
    throw new Error('route has no request context (is it @Public?)');
  }
  return ctx;
});

/** The negotiated microversion. */
export const ReqVersion = createParamDecorator(
  (_: unknown, host: ExecutionContext): ApiVersion =>
    host.switchToHttp().getRequest<FastifyRequest>().nova.version,
);
