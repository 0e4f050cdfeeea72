import { Invalid } from '@nova/common';
import { unexpectedKeys } from './body-class';
import { Check, fieldError, jsonTypeOf, typeReason } from './checks';
import { METADATA_KEY_PATTERN } from './formats';
import { pyRepr } from '../../http/py-repr';

const KEY = new RegExp(METADATA_KEY_PATTERN);

/**
 * parameter_types.metadata past its object type check: values are strings of
 * at most 255 characters under keys of 1-255 of [a-zA-Z0-9-_:. ]; any other
 * key is an "additional property" of the object.
 */
export function checkMetadata(field: string, value: unknown): void {
  if (jsonTypeOf(value) !== 'object') {
    return; // the type check reports it
  }
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [key, v] of entries) {
    if (!KEY.test(key)) {
      continue;
    }
    if (typeof v !== 'string') {
      throw fieldError(key, v, typeReason(v, ['string']));
    }
    if ([...v].length > 255) {
      throw fieldError(key, v, `${pyRepr(v)} is too long`);
    }
  }
  const extras = entries.map(([k]) => k).filter((k) => !KEY.test(k));
  if (extras.length > 0) {
    throw new Invalid(unexpectedKeys(extras, value, field));
  }
}

/** The metadata schema as a property validator (after IsObject). */
export function MetadataShape(): PropertyDecorator {
  return Check('metadata', (value, args) => checkMetadata(args.property, value));
}
