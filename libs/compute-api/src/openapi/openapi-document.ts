import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import type { ApiVersion } from '../http/api-version';
import { QUERY_KEY, type QuerySchema } from '../http/query-schema';
import {
  ACTIONS_KEY,
  POLICY_KEY,
  PUBLIC_KEY,
  VERSIONS_KEY,
  type ActionTable,
  type VersionBounds,
} from '../http/route-meta';
import { DtoSchemas } from './dto-schema';
import { faultComponents } from './fault-responses';
import { describeOperation } from './operation';

type Controller = abstract new (...args: never[]) => object;

const ALL_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

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
 * rules, microversion ranges, query schemas, action tables) and the request
 * DTOs the validation uses: a route outside the version is left out, a
 * versioned body, query or action shows what the version takes. Only the
 * /v2.1 routes without a project id are listed (each also answers under
 * `/v2.1/{project_id}` and the legacy `/v2`).
 */
export function openApiDocument(controllers: readonly Controller[], version: ApiVersion): object {
  const schemas = new DtoSchemas();
  const faults = faultComponents();
  for (const [name, schema] of Object.entries(faults.schemas)) {
    schemas.define(name, schema); // first, so no request class takes a fault's name
  }
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
      for (const base of bases) {
        for (const sub of list(
          Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined,
        )) {
          const path = joinPath(base, sub);
          const operation = describeOperation(
            {
              controller,
              name,
              handler,
              method,
              path,
              ...(bounds ? { bounds } : {}),
              ...optional('policy', meta<string>(POLICY_KEY)),
              public: meta<boolean>(PUBLIC_KEY) === true,
              ...optional('actions', meta<ActionTable>(ACTIONS_KEY)),
              ...optional('query', meta<QuerySchema>(QUERY_KEY)),
            },
            version,
            schemas,
          );
          paths[path] ??= {};
          if (method === RequestMethod.ALL) {
            // @All (the retired APIs' 410): the same operation under each method.
            for (const m of ALL_METHODS) {
              paths[path][m] = {
                ...operation,
                operationId: `${String(operation['operationId'])}.${m}`,
              };
            }
          } else {
            paths[path][RequestMethod[method].toLowerCase()] = operation;
          }
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
      responses: faults.responses,
    },
    security: [{ keystone: [] }],
  };
}

const optional = <K extends string, T>(key: K, value: T | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, T>>;
