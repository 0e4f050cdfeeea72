import {
  IsIn,
  ValidateBy,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { Invalid } from '@nova/common';
import { pyRepr, pyStr } from '../../http/py-repr';

/*
 * Validators that answer in jsonschema's words. Their messages start with a
 * placeholder word that validateBody replaces with the value's repr, giving
 * "Invalid input for field/attribute <f>. Value: <v>. <v> is ...". Checks on
 * nested values whose Nova message names an inner field (a metadata key, a
 * list index) throw Invalid themselves: class-validator cannot carry that path.
 */

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'object' | 'array';

export function jsonTypeOf(value: unknown): JsonType | 'other' {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    case 'object':
      return 'object';
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      break;
  }
  return 'other';
}

function isOfType(value: unknown, types: readonly JsonType[]): boolean {
  const t = jsonTypeOf(value);
  return t !== 'other' && (types.includes(t) || (t === 'integer' && types.includes('number')));
}

/** jsonschema's "<v> is not of type 'a', 'b'". */
export function typeReason(value: unknown, types: readonly JsonType[]): string {
  return `${pyRepr(value)} is not of type ${types.map((t) => `'${t}'`).join(', ')}`;
}

/** Nova's message for a schema failure on one field. */
export function fieldError(field: string | number, value: unknown, reason: string): Invalid {
  return new Invalid(
    `Invalid input for field/attribute ${field}. Value: ${pyStr(value)}. ${reason}`,
  );
}

/** A JSON type check ("type": [...]) for unions class-validator has no decorator for. */
export function HasType(
  types: readonly JsonType[],
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: `type:${types.join(',')}`,
      constraints: [...types], // read by the OpenAPI document
      validator: {
        validate: (v: unknown) => isOfType(v, types),
        defaultMessage: () => `value is not of type ${types.map((t) => `'${t}'`).join(', ')}`,
      },
    },
    options,
  );
}

/** minLength on strings only (other types are the type check's business), in code points. */
export function MinLen(min: number): PropertyDecorator {
  return ValidateBy({
    name: 'minLength',
    constraints: [min],
    validator: {
      validate: (v: unknown) => typeof v !== 'string' || [...v].length >= min,
      defaultMessage: () => 'value is too short',
    },
  });
}

export function MaxLen(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'maxLength',
    constraints: [max],
    validator: {
      validate: (v: unknown) => typeof v !== 'string' || [...v].length <= max,
      defaultMessage: () => 'value is too long',
    },
  });
}

/** A regular expression on strings, reported as "<v> does not match '<pattern>'". */
export function Pattern(pattern: string): PropertyDecorator {
  const re = new RegExp(pattern, 'u');
  return ValidateBy({
    name: 'pattern',
    constraints: [pattern],
    validator: {
      validate: (v: unknown) => typeof v !== 'string' || re.test(v),
      defaultMessage: () => `value does not match '${pattern}'`,
    },
  });
}

/** A named string format ("<v> is not a 'ipv4'"). */
export function Format(name: string, test: (v: string) => boolean): PropertyDecorator {
  return ValidateBy({
    name: `format:${name}`,
    constraints: [name],
    validator: {
      validate: (v: unknown) => typeof v !== 'string' || test(v),
      defaultMessage: () => `value is not a '${name}'`,
    },
  });
}

/** A oneOf/anyOf of several schemas: jsonschema only says none matched. */
export function OneOfSchemas(test: (v: unknown) => boolean): PropertyDecorator {
  return ValidateBy({
    name: 'oneOf',
    validator: {
      validate: test,
      defaultMessage: () => 'value is not valid under any of the given schemas',
    },
  });
}

/** An enum ("<v> is not one of ['AUTO', 'MANUAL']"). */
export function OneOf(choices: readonly unknown[]): PropertyDecorator {
  return IsIn([...choices], { message: `$property must be one of: ${pyRepr([...choices])}` });
}

/** minItems / maxItems / uniqueItems on arrays only. */
export function MinItems(min: number): PropertyDecorator {
  return ValidateBy({
    name: 'arrayMinSize',
    constraints: [min],
    validator: {
      validate: (v: unknown) => !Array.isArray(v) || v.length >= min,
      defaultMessage: () => 'value is too short',
    },
  });
}

export function MaxItems(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'arrayMaxSize',
    constraints: [max],
    validator: {
      validate: (v: unknown) => !Array.isArray(v) || v.length <= max,
      defaultMessage: () => 'value is too long',
    },
  });
}

export function UniqueItems(): PropertyDecorator {
  return ValidateBy({
    name: 'arrayUnique',
    validator: {
      validate: (v: unknown) =>
        !Array.isArray(v) || new Set(v.map((x) => JSON.stringify(x))).size === v.length,
      defaultMessage: () => 'value has non-unique elements',
    },
  });
}

/** Every item of an array is a JSON object (before nested validation looks inside). */
export function EachObject(): PropertyDecorator {
  return ValidateBy({
    name: 'isObject',
    validator: {
      validate: (v: unknown) => !Array.isArray(v) || v.every((x) => jsonTypeOf(x) === 'object'),
      defaultMessage: () => "value is not of type 'object'",
    },
  });
}

/**
 * A check that throws Invalid with Nova's complete message (or returns): for
 * nested values class-validator's single-level errors cannot describe.
 */
export function Check(
  name: string,
  check: (value: unknown, args: ValidationArguments) => void,
): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        check(value, args!);
        return true;
      },
    },
  });
}

/** Nova's "name" format: its own message, without the field prefix. */
export function NameFormat(test: (v: string) => boolean, message: string): PropertyDecorator {
  return Check('format:name', (v) => {
    if (typeof v === 'string' && [...v].length >= 1 && [...v].length <= 255 && !test(v)) {
      throw new Invalid(message);
    }
  });
}
