import {
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import type { ApiVersion } from '../http/api-version';
import { POLICY_KEY, PUBLIC_KEY, VERSIONS_KEY, type VersionBounds } from '../http/route-meta';
import { pickForVersion, versionedBodyArgument } from '../http/validation';
import { DtoSchemas } from './dto-schema';

type Controller = abstract new (...args: never[]) => object;
type Dto = new () => object;

interface RouteArgument {
  readonly factory?: unknown;
  readonly data?: unknown;
}

/** Nest's path metadata: a string, several, or none (the controller's root). */
const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [''] : Array.isArray(value) ? value : [value];

/** `v2.1/servers` + `:server_id/action` -> `/v2.1/servers/{server_id}/action`. */
function joinPath(base: string, sub: string): string {
  const joined = `/${[base, sub]
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
  return joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * The OpenAPI 3.1 document of the compute API at one microversion, made from
 * the controllers' own route metadata (paths, methods, status codes, policy
 * rules, microversion ranges) and the request DTOs the validation uses: a route
 * outside the version is left out, a versioned body shows the schema of the
 * version. Only the /v2.1 routes without a project id are listed (each also
 * answers under `/v2.1/{project_id}` and the legacy `/v2`).
 */
export function openApiDocument(controllers: readonly Controller[], version: ApiVersion): object {
  const schemas = new DtoSchemas();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const controller of controllers) {
    const bases = list(
      Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined,
    ).filter((p) => p === '' || (p.startsWith('v2.1') && !p.includes(':project_id')));
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') {
        continue;
      }
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) {
        continue;
      }
      const meta = <T>(key: string): T | undefined =>
        (Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller)) as
          T | undefined;
      const bounds = meta<VersionBounds>(VERSIONS_KEY);
      if (bounds && !version.within(bounds.min, bounds.max)) {
        continue;
      }
      const operation = describeOperation(controller, name, handler, version, schemas, {
        bounds,
        policy: meta<string>(POLICY_KEY),
        public: meta<boolean>(PUBLIC_KEY) === true,
        method,
      });
      for (const base of bases) {
        for (const sub of list(
          Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined,
        )) {
          const path = joinPath(base, sub);
          const params = [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => ({
            name: m[1],
            in: 'path',
            required: true,
            schema: { type: 'string' },
          }));
          paths[path] ??= {};
          paths[path][RequestMethod[method].toLowerCase()] = {
            ...operation,
            ...(params.length > 0 ? { parameters: params } : {}),
          };
        }
      }
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'OpenStack Compute API',
      version: version.toString(),
      description:
        'Generated from the routes and the request validation of this service at this microversion.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas: schemas.components,
      securitySchemes: { keystone: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' } },
      responses: {
        Fault: {
          description: 'Nova\'s fault body, e.g. {"badRequest": {"code": 400, "message": "..."}}',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                minProperties: 1,
                maxProperties: 1,
                additionalProperties: {
                  type: 'object',
                  properties: { code: { type: 'integer' }, message: { type: 'string' } },
                  required: ['code', 'message'],
                },
              },
            },
          },
        },
      },
    },
    security: [{ keystone: [] }],
  };
}

function describeOperation(
  controller: Controller,
  name: string,
  handler: unknown,
  version: ApiVersion,
  schemas: DtoSchemas,
  route: { bounds?: VersionBounds; policy?: string; public: boolean; method: RequestMethod },
): Record<string, unknown> {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
    string,
    RouteArgument
  >;
  const bodyArg = Object.values(args).find((a) => a.factory === versionedBodyArgument);
  const body = bodyArg ? pickForVersion(bodyArg.data as Record<string, Dto>, version) : undefined;
  const code =
    (Reflect.getMetadata(HTTP_CODE_METADATA, handler as object) as number | undefined) ??
    (route.method === RequestMethod.POST ? 201 : 200);
  const bounds = route.bounds;
  return {
    operationId: `${controller.name}.${name}`,
    tags: [controller.name.replace(/Controller$/, '')],
    ...(route.public ? { security: [] } : {}),
    ...(route.policy ? { 'x-openstack-policy': route.policy } : {}),
    ...(bounds && (bounds.min || bounds.max)
      ? {
          'x-openstack-microversions': {
            ...(bounds.min ? { min: bounds.min } : {}),
            ...(bounds.max ? { max: bounds.max } : {}),
          },
        }
      : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemas.ref(body) } },
          },
        }
      : {}),
    responses: {
      [String(code)]: { description: code === 204 ? 'No content' : 'Success' },
      default: { $ref: '#/components/responses/Fault' },
    },
  };
}
