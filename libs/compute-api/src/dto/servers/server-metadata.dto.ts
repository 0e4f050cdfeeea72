import { IsObject } from 'class-validator';
import { Invalid } from '@nova/common';
import { IsPresent } from '../validators';
import { bodyClass } from './body-class';
import { Check, jsonTypeOf } from './checks';
import { MetadataShape } from './metadata-check';
import { pyRepr } from '../../http/py-repr';

/** `{"metadata": {...}}`: POST (merge) and PUT (replace) /servers/{id}/metadata. */
export interface ServerMetadataBodyFields {
  metadata: Record<string, string>;
}

/** `{"meta": {key: value}}`: PUT /servers/{id}/metadata/{key}. */
export interface ServerMetadataItemBodyFields {
  meta: Record<string, string>;
}

export const ServerMetadataBody = bodyClass('ServerMetadataBody', '2.1', [
  { name: 'metadata', rules: () => [IsPresent(), IsObject(), MetadataShape()] },
]);

/** Exactly one item (minProperties/maxProperties 1). */
function OneProperty(): PropertyDecorator {
  return Check('oneProperty', (value, args) => {
    if (jsonTypeOf(value) !== 'object') {
      return;
    }
    const count = Object.keys(value as object).length;
    if (count !== 1) {
      const reason = count === 0 ? 'does not have enough properties' : 'has too many properties';
      throw new Invalid(
        `Invalid input for field/attribute ${args.property}. Value: ${pyRepr(value)}. ${pyRepr(value)} ${reason}`,
      );
    }
  });
}

export const ServerMetadataItemBody = bodyClass('ServerMetadataItemBody', '2.1', [
  { name: 'meta', rules: () => [IsPresent(), IsObject(), MetadataShape(), OneProperty()] },
]);

/** The item of a PUT /metadata/{key} body, whose key must be the URL's. */
export function metadataItemFromBody(
  body: ServerMetadataItemBodyFields,
  key: string,
): [string, string] {
  if (!(key in body.meta)) {
    throw new Invalid('Request body and URI mismatch');
  }
  return [key, body.meta[key]];
}
