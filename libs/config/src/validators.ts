import { ValidateBy, type ValidationOptions } from 'class-validator';
import { urlScheme } from '@nova/common';

/** A URL whose scheme is one of `schemes` (mysql+pymysql, rabbit, sqlite, ...). */
export function IsNovaUrl(
  schemes: readonly string[],
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNovaUrl',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          /^[a-z0-9+.-]+:\/\//i.test(value) &&
          schemes.includes(urlScheme(value)),
        defaultMessage: () => `must be a URL with scheme ${schemes.join(', ')}`,
      },
    },
    options,
  );
}
