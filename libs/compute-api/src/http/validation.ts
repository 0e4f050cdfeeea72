import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { Invalid } from '@nova/common';
import type { ApiVersion } from './api-version';
import { pyRepr, pyStr } from './py-repr';

type Dto = new () => object;

/**
 * Validate a body against a class-validator DTO the way Nova's JSON schemas do:
 * unknown properties, missing ones, wrong types, lengths, ranges and patterns are
 * 400 with Nova's message ("Invalid input for field/attribute <f>. Value: <v>. <reason>").
 */
export function validateBody<T extends object>(cls: new () => T, body: unknown): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Invalid(`${pyRepr(body ?? null)} is not of type 'object'`);
  }
  const instance = plainToInstance(cls, body);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: false,
  });
  if (errors.length > 0) {
    throw new Invalid(describe(errors[0], [], body));
  }
  return instance;
}

/**
 * The request body validated against the DTO of the highest microversion key not
 * above the request's: `@VersionedBody({ '2.1': A, '2.55': B })`.
 */
export const VersionedBody = createParamDecorator(versionedBodyArgument);

/** VersionedBody's factory: the OpenAPI document finds request schemas by it. */
export function versionedBodyArgument(
  schemas: Record<string, Dto>,
  host: ExecutionContext,
): object {
  const req = host.switchToHttp().getRequest<FastifyRequest>();
  return validateBody(pickForVersion(schemas, req.nova.version), req.body);
}

/** `@ValidBody(Dto)`: one schema for every microversion. */
export const ValidBody = (cls: Dto) => VersionedBody({ '2.1': cls });

export function pickForVersion<T>(byVersion: Record<string, T>, version: ApiVersion): T {
  const keys = Object.keys(byVersion).filter((k) => version.atLeast(k));
  const best = keys.sort((a, b) => compareVersions(b, a))[0];
  if (best === undefined) {
    throw new Error(`no schema for version ${version.toString()}`);
  }
  return byVersion[best];
}

function compareVersions(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number) as [number, number];
  const [bm, bn] = b.split('.').map(Number) as [number, number];
  return am - bm || an - bn;
}

function describe(error: ValidationError, path: string[], parent: unknown): string {
  const child = error.children?.[0];
  if (child && (!error.constraints || Object.keys(error.constraints).length === 0)) {
    return describe(child, [...path, error.property], error.value);
  }
  const [constraint, message] = firstConstraint(error.constraints ?? {});
  // Missing and unexpected properties are reported on the object holding them.
  if (constraint === 'isDefined' || constraint === 'whitelistValidation') {
    const reason =
      constraint === 'isDefined'
        ? `'${error.property}' is a required property`
        : `Additional properties are not allowed ('${error.property}' was unexpected)`;
    const holder = path[path.length - 1];
    return holder === undefined
      ? reason
      : `Invalid input for field/attribute ${holder}. Value: ${pyStr(parent)}. ${reason}`;
  }
  return `Invalid input for field/attribute ${error.property}. Value: ${pyStr(error.value)}. ${reason(constraint, message, error.value)}`;
}

/** Presence and type problems first, as jsonschema reports them, then the rest. */
const PRIORITY = [
  'isDefined',
  'whitelistValidation',
  'isObject',
  'isArray',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
];

function firstConstraint(constraints: Record<string, string>): [string, string] {
  const entries = Object.entries(constraints);
  for (const name of PRIORITY) {
    const found = entries.find(([k]) => k === name);
    if (found) {
      return found;
    }
  }
  return entries[0] ?? ['unknown', 'is invalid'];
}

/** jsonschema's wording for the common constraints; our own message otherwise. */
function reason(constraint: string, message: string, value: unknown): string {
  const v = pyRepr(value);
  const number = /(-?\d+(\.\d+)?)/.exec(message)?.[1];
  switch (constraint) {
    case 'isString':
      return `${v} is not of type 'string'`;
    case 'isInt':
      return `${v} is not of type 'integer'`;
    case 'isNumber':
      return `${v} is not of type 'number'`;
    case 'isBoolean':
      return `${v} is not of type 'boolean'`;
    case 'isObject':
      return `${v} is not of type 'object'`;
    case 'isArray':
      return `${v} is not of type 'array'`;
    case 'minLength':
    case 'arrayMinSize':
      return `${v} is too short`;
    case 'maxLength':
    case 'arrayMaxSize':
      return `${v} is too long`;
    case 'min':
      return `${v} is less than the minimum of ${number ?? '?'}`;
    case 'max':
      return `${v} is greater than the maximum of ${number ?? '?'}`;
    case 'arrayUnique':
      return `${v} has non-unique elements`;
    case 'matches':
      return `${v} does not match '${/must match (.*) regular expression/.exec(message)?.[1] ?? 'the pattern'}'`;
    case 'isIn':
    case 'isEnum':
      return `${v} is not one of ${/: (.*)$/.exec(message)?.[1] ?? 'the allowed values'}`;
    default:
      return message.replace(/^\S+ /, `${v} `);
  }
}
