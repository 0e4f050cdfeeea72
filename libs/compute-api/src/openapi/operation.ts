import { HTTP_CODE_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { PolicyEnforcer } from '@nova/policy';
import type { ApiVersion } from '../http/api-version';
import type { QuerySchema } from '../http/query-schema';
import type { ActionTable, VersionBounds } from '../http/route-meta';
import { pickForVersion, versionedBodyArgument } from '../http/validation';
import type { DtoSchemas, JsonSchema } from './dto-schema';
import { faultName } from './fault-responses';

type Controller = abstract new (...args: never[]) => object;
type Dto = new () => object;

interface RouteArgument {
  readonly factory?: unknown;
  readonly data?: unknown;
}

/** What the route metadata says about one handler. */
export interface RouteFacts {
  readonly controller: Controller;
  readonly name: string;
  readonly handler: object;
  readonly method: RequestMethod;
  readonly path: string;
  readonly bounds?: VersionBounds;
  readonly policy?: string;
  readonly public: boolean;
  readonly actions?: ActionTable;
  readonly query?: QuerySchema;
}

/**
 * One OpenAPI operation at one microversion: parameters (path, and the query
 * schema the parser checks), the request body (the validation DTO, or the
 * `oneOf` of the action bodies of the route's action table) and the
 * responses. The faults are those the route's shape implies: a body or a
 * query to validate (400), a token (401), a policy (403), a path parameter
 * (404), an action on a resource's state (409), and the 500 any route may give.
 */
export function describeOperation(
  route: RouteFacts,
  version: ApiVersion,
  schemas: DtoSchemas,
): JsonSchema {
  const args = Object.entries(
    (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.name) ?? {}) as Record<
      string,
      RouteArgument
    >,
  );
  const has = (type: RouteParamtypes) => args.some(([key]) => key.startsWith(`${type}:`));
  const versioned = args.find(([, a]) => a.factory === versionedBodyArgument)?.[1];
  const body = versioned
    ? schemas.ref(pickForVersion(versioned.data as Record<string, Dto>, version))
    : route.actions
      ? actionBodies(route.actions, version, schemas)
      : has(RouteParamtypes.BODY) && route.method !== RequestMethod.DELETE
        ? { type: 'object', description: 'Validated by the handler; no schema is published.' }
        : undefined;

  const pathParams = [...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const queryParams = (route.query?.at(version) ?? []).map((p) => ({
    name: p.name,
    in: 'query',
    required: false,
    schema: typeof p.schema === 'function' ? p.schema(version) : (p.schema ?? { type: 'string' }),
  }));
  const parameters = [...pathParams, ...queryParams];

  const faults = new Set<number>([500]);
  if (body || queryParams.length > 0) {
    faults.add(400);
  }
  if (!route.public) {
    faults.add(401);
  }
  if (route.policy || route.actions || checksPolicyInline(route.controller)) {
    faults.add(403);
  }
  if (pathParams.length > 0) {
    faults.add(404);
  }
  if (route.actions || route.path.endsWith('/action')) {
    faults.add(409);
  }

  const bounds = route.bounds;
  return {
    operationId: `${route.controller.name}.${route.name}`,
    tags: [route.controller.name.replace(/Controller$/, '')],
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
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body
      ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } }
      : {}),
    responses: {
      ...success(route, has(RouteParamtypes.RESPONSE)),
      ...Object.fromEntries(
        [...faults]
          .sort((a, b) => a - b)
          .map((status) => [
            String(status),
            { $ref: `#/components/responses/${faultName(status)}` },
          ]),
      ),
      default: { $ref: '#/components/responses/Fault' },
    },
  };
}

/**
 * The success response: @HttpCode's status or Nest's default for the method;
 * `2XX` when the handler sends the reply itself (@Res) and names no status.
 * The views have no schemas, so a body is only said to be a JSON object.
 */
function success(route: RouteFacts, sendsItself: boolean): Record<string, JsonSchema> {
  const declared = Reflect.getMetadata(HTTP_CODE_METADATA, route.handler) as number | undefined;
  const code = declared ?? (sendsItself ? '2XX' : route.method === RequestMethod.POST ? 201 : 200);
  if (code === 204) {
    return { '204': { description: 'No content' } };
  }
  return {
    [String(code)]: {
      description:
        code === '2XX'
          ? 'Success; the handler chooses the status (e.g. 202 for most server actions, 200 for those answering a body).'
          : 'Success. The response body is a JSON object; its schema is not published.',
      content: { 'application/json': { schema: { type: 'object' } } },
    },
  };
}

/**
 * The action bodies valid at `version`, one single-key object each: the
 * action's schema, or any value where the action does not look at it.
 */
function actionBodies(table: ActionTable, version: ApiVersion, schemas: DtoSchemas): JsonSchema {
  const oneOf = Object.entries(table)
    .filter(([, spec]) => version.within(spec.min, spec.max))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, spec]) => {
      const cls = pickForVersion(spec.bodies, version);
      return {
        title: name,
        ...(cls
          ? schemas.ref(cls)
          : {
              type: 'object',
              properties: { [name]: { description: 'Not looked at (null by convention).' } },
              required: [name],
              additionalProperties: false,
            }),
      };
    });
  return { oneOf };
}

/** Controllers that check policy in their handlers (targets they must look up first). */
function checksPolicyInline(controller: Controller): boolean {
  const deps = (Reflect.getMetadata('design:paramtypes', controller) ?? []) as unknown[];
  return deps.includes(PolicyEnforcer);
}
