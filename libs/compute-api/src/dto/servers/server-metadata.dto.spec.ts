import { validateBody } from '../../http/validation';
import {
  metadataItemFromBody,
  ServerMetadataBody,
  ServerMetadataItemBody,
  type ServerMetadataItemBodyFields,
} from './server-metadata.dto';

function problem(cls: new () => object, body: unknown): string {
  try {
    validateBody(cls, body);
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('server metadata bodies', () => {
  it('checks {"metadata": {...}}', () => {
    expect(problem(ServerMetadataBody, { metadata: { purpose: 'sample' } })).toBe('ok');
    expect(problem(ServerMetadataBody, { metadata: {} })).toBe('ok');
    expect(problem(ServerMetadataBody, {})).toBe("'metadata' is a required property");
    expect(problem(ServerMetadataBody, { metadata: { k: ['v'] } })).toBe(
      "Invalid input for field/attribute k. Value: ['v']. ['v'] is not of type 'string'",
    );
    expect(problem(ServerMetadataBody, { metadata: { '': 'v' } })).toBe(
      "Invalid input for field/attribute metadata. Value: {'': 'v'}. Additional properties are not allowed ('' was unexpected)",
    );
    expect(problem(ServerMetadataBody, { metadata: {}, meta: {} })).toBe(
      "Additional properties are not allowed ('meta' was unexpected)",
    );
  });

  it('checks {"meta": {key: value}}: exactly one item, the URL key', () => {
    expect(problem(ServerMetadataItemBody, { meta: { k: 'v' } })).toBe('ok');
    expect(problem(ServerMetadataItemBody, { meta: {} })).toBe(
      'Invalid input for field/attribute meta. Value: {}. {} does not have enough properties',
    );
    expect(problem(ServerMetadataItemBody, { meta: { a: '1', b: '2' } })).toBe(
      "Invalid input for field/attribute meta. Value: {'a': '1', 'b': '2'}. {'a': '1', 'b': '2'} has too many properties",
    );
    const body = validateBody(ServerMetadataItemBody, {
      meta: { k: 'v' },
    }) as ServerMetadataItemBodyFields;
    expect(metadataItemFromBody(body, 'k')).toEqual(['k', 'v']);
    expect(() => metadataItemFromBody(body, 'other')).toThrow('Request body and URI mismatch');
  });
});
