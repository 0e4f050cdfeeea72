import { FAULT_NAMES } from '../http/faults';
import type { JsonSchema } from './dto-schema';

/** Nova's name for a status without one of its own (wsgi.py's default). */
const DEFAULT_FAULT = 'computeFault';

/** The fault name of a status, as the fault filter names it. */
export const faultName = (status: number): string => FAULT_NAMES[status] ?? DEFAULT_FAULT;

/**
 * `components.schemas` and `components.responses` for every Nova fault name
 * (`{"badRequest": {"code": 400, "message": "..."}}`), and the keystone-style
 * 401 the auth hook answers. Operations refer to them by name.
 */
export function faultComponents(): {
  schemas: Record<string, JsonSchema>;
  responses: Record<string, JsonSchema>;
} {
  const statuses = new Map<string, number[]>();
  for (const [status, name] of Object.entries(FAULT_NAMES)) {
    statuses.set(name, [...(statuses.get(name) ?? []), Number(status)]);
  }
  statuses.set(DEFAULT_FAULT, [500]);
  const schemas: Record<string, JsonSchema> = {};
  const responses: Record<string, JsonSchema> = {};
  for (const [name, codes] of statuses) {
    const code = codes.length === 1 ? { const: codes[0] } : { enum: codes };
    schemas[name] =
      name === 'unauthorized'
        ? keystoneUnauthorized()
        : {
            type: 'object',
            description: `Nova's ${name} fault (HTTP ${codes.join(' or ')}).`,
            properties: {
              [name]: {
                type: 'object',
                properties: { code: { type: 'integer', ...code }, message: { type: 'string' } },
                required: ['code', 'message'],
              },
            },
            required: [name],
            additionalProperties: false,
          };
    responses[name] = {
      description: `${name} (HTTP ${codes.join(' or ')})`,
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
    };
  }
  responses['Fault'] = {
    description: 'Any other fault, in Nova\'s body: {"<faultName>": {"code": ..., "message": ...}}',
    content: {
      'application/json': {
        schema: { oneOf: [...statuses.keys()].map((n) => ({ $ref: `#/components/schemas/${n}` })) },
      },
    },
  };
  return { schemas, responses };
}

/** keystonemiddleware's 401 body, which the auth hook answers instead of a Nova fault. */
function keystoneUnauthorized(): JsonSchema {
  return {
    type: 'object',
    description: "The 401 of a missing or invalid token, in keystonemiddleware's body.",
    properties: {
      error: {
        type: 'object',
        properties: {
          code: { type: 'integer', const: 401 },
          title: { type: 'string' },
          message: { type: 'string' },
        },
        required: ['code', 'title', 'message'],
      },
    },
    required: ['error'],
  };
}
