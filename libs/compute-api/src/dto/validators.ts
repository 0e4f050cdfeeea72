import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';

const BOOL_STRINGS = [
  'True',
  'TRUE',
  'true',
  '1',
  'ON',
  'On',
  'on',
  'YES',
  'Yes',
  'yes',
  'False',
  'FALSE',
  'false',
  '0',
  'OFF',
  'Off',
  'off',
  'NO',
  'No',
  'no',
];

/** Whether the value is one of Nova's parameter_types.boolean values. */
export function isBooleanLike(v: unknown): boolean {
  return typeof v === 'boolean' || (typeof v === 'string' && BOOL_STRINGS.includes(v));
}

/** Nova's parameter_types.boolean: a JSON boolean or one of its spellings as a string. */
export function IsBooleanLike(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isBoolean', validator: { validate: isBooleanLike } }, options);
}

export function toBool(value: unknown): boolean {
  return typeof value === 'boolean'
    ? value
    : ['true', '1', 'on', 'yes'].includes(String(value).toLowerCase());
}

/** Nova's integer-or-digit-string parameters (flavor ram, vcpus...), within [min, max]. */
export function IsIntLike(
  min: number,
  max = 2147483647,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInt',
      validator: {
        validate: (v: unknown) => {
          const n =
            typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
          return Number.isInteger(n) && n >= min && n <= max;
        },
      },
    },
    options,
  );
}

/** A positive number (or its string spelling), e.g. rxtx_factor. */
export function IsPositiveNumberLike(
  max = 3.40282e38,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNumber',
      validator: {
        validate: (v: unknown) => {
          const n =
            typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
          return Number.isFinite(n) && n > 0 && n <= max;
        },
      },
    },
    options,
  );
}

/** A value that must be present, but may be JSON null (`{"x": null}`). */
export function IsPresent(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isDefined', validator: { validate: (v: unknown) => v !== undefined } },
    options,
  );
}

/** Printable text without leading or trailing whitespace (Nova's name pattern). */
export const NAME_PATTERN = /^(?!\s)[^\p{Cc}]*(?<!\s)$/u;

/**
 * May be left out, but not sent as null (class-validator's IsOptional lets null
 * through; Nova's schemas do not, unless they list null).
 */
export function NotNullOptional(): PropertyDecorator {
  return ValidateIf((_, value) => value !== undefined);
}
