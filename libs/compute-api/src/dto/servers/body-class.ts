import { Invalid } from '@nova/common';
import { ApiVersion } from '../../http/api-version';
import { pyRepr, pyStr } from '../../http/py-repr';
import { Check } from './checks';

/**
 * One property of a request body: the microversions it exists in and its
 * validators (a factory: each generated class needs its own decorator calls).
 */
export interface FieldSpec {
  readonly name: string;
  readonly since?: string;
  readonly until?: string;
  readonly rules: () => PropertyDecorator[];
}

/** The property that carries the unknown-keys check (see bodyClass). */
const EXTRA_KEYS = '*';

export interface BodyClassOptions {
  /** The key the object sits under (for the unknown-keys message), if any. */
  readonly holder?: string;
  /**
   * List every unknown key at once, as jsonschema does (default). Off for list
   * items, whose message names their index: class-validator's whitelist then
   * reports the first unknown key under it.
   */
  readonly allExtras?: boolean;
}

/**
 * A class-validator DTO for `version`, built from a table of fields so each
 * field's microversion history sits in one place and the classes of every
 * version stay in step.
 */
export function bodyClass(
  className: string,
  version: string,
  fields: readonly FieldSpec[],
  { holder, allExtras = true }: BodyClassOptions = {},
): new () => object {
  const cls = { [className]: class {} }[className];
  const v = ApiVersion.parse(version);
  const present = fields.filter((f) => v.within(f.since, f.until));
  for (const field of present) {
    for (const decorate of field.rules()) {
      decorate(cls.prototype, field.name);
    }
  }
  if (!allExtras) {
    return cls;
  }
  const known = new Set(present.map((f) => f.name));
  Check('additionalProperties', (_, args) => {
    const object = args.object as Record<string, unknown>;
    const extras = Object.keys(object).filter((k) => !known.has(k));
    if (extras.length > 0) {
      throw new Invalid(unexpectedKeys(extras, object, holder));
    }
  })(cls.prototype, EXTRA_KEYS);
  return cls;
}

/** jsonschema's additionalProperties message, with the holder's prefix when nested. */
export function unexpectedKeys(extras: readonly string[], value: unknown, holder?: string): string {
  const reason = `Additional properties are not allowed (${extras.map((e) => pyRepr(e)).join(', ')} ${
    extras.length === 1 ? 'was' : 'were'
  } unexpected)`;
  return holder === undefined
    ? reason
    : `Invalid input for field/attribute ${holder}. Value: ${pyStr(value)}. ${reason}`;
}
