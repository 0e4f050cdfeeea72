import { Invalid } from '@nova/common';
import { pyRepr } from '../../http/py-repr';

const KEY = /^[a-zA-Z0-9-_:. /]{1,255}$/;

/**
 * An extra-specs map as Nova's schema takes it: keys of 1-255 safe characters,
 * values strings, numbers or booleans (stored as their string) of at most 255.
 */
export function extraSpecsFrom(map: unknown, field: string): Record<string, string> {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new Invalid(
      `Invalid input for field/attribute ${field}. Value: ${pyRepr(map)}. ${pyRepr(map)} is not of type 'object'`,
    );
  }
  const specs: Record<string, string> = {};
  for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
    if (!KEY.test(key)) {
      throw new Invalid(
        `Invalid input for field/attribute ${field}. Value: ${pyRepr(map)}. Additional properties are not allowed ('${key}' was unexpected)`,
      );
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new Invalid(
        `Invalid input for field/attribute ${key}. Value: ${pyRepr(value)}. ${pyRepr(value)} is not of type 'string', 'number', 'boolean'`,
      );
    }
    const text = typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value);
    if (text.length > 255) {
      throw new Invalid(
        `Invalid input for field/attribute ${key}. Value: ${text}. ${pyRepr(text)} is too long`,
      );
    }
    specs[key] = text;
  }
  return specs;
}

/** The body of POST /os-extra_specs: `{"extra_specs": {...}}` and nothing else. */
export function extraSpecsBody(body: unknown): Record<string, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Invalid(`${pyRepr(body ?? null)} is not of type 'object'`);
  }
  const keys = Object.keys(body);
  if (!keys.includes('extra_specs')) {
    throw new Invalid("'extra_specs' is a required property");
  }
  const extra = keys.filter((k) => k !== 'extra_specs');
  if (extra.length > 0) {
    throw new Invalid(
      `Additional properties are not allowed ('${extra.join("', '")}' was unexpected)`,
    );
  }
  return extraSpecsFrom((body as Record<string, unknown>)['extra_specs'], 'extra_specs');
}

/** The body of PUT /os-extra_specs/{key}: exactly `{"<key>": value}`. */
export function extraSpecItemBody(body: unknown, key: string): Record<string, string> {
  const specs = extraSpecsFrom(body, 'request body');
  const keys = Object.keys(specs);
  if (keys.length > 1) {
    throw new Invalid('Request body contains too many items');
  }
  if (keys[0] !== key) {
    throw new Invalid('Request body and URI mismatch');
  }
  return specs;
}
