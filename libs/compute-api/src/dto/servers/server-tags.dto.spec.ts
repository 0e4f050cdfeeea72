import { validateBody } from '../../http/validation';
import {
  checkTagCount,
  checkTagParam,
  ServerTagsBody,
  tagsFromBody,
  type ServerTagsBodyFields,
} from './server-tags.dto';

function problem(body: unknown): string {
  try {
    tagsFromBody(validateBody(ServerTagsBody, body) as ServerTagsBodyFields);
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('server tags', () => {
  it('validates PUT /tags bodies', () => {
    expect(
      tagsFromBody(validateBody(ServerTagsBody, { tags: ['a', 'b', 'a'] }) as ServerTagsBodyFields),
    ).toEqual(['a', 'b']);
    expect(problem({ tags: [] })).toBe('ok');
    expect(problem({})).toBe("'tags' is a required property");
    expect(problem({ tags: 'a' })).toBe(
      "Invalid input for field/attribute tags. Value: a. 'a' is not of type 'array'",
    );
    expect(problem({ tags: ['a,b'] })).toBe(
      "Invalid input for field/attribute 0. Value: a,b. 'a,b' does not match '^[^,/]*$'",
    );
    expect(problem({ tags: ['ok', 5] })).toBe(
      "Invalid input for field/attribute 1. Value: 5. 5 is not of type 'string'",
    );
    expect(problem({ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) })).toBe(
      'The number of tags exceeded the per-server limit 50',
    );
    expect(problem({ tags: Array.from({ length: 50 }, (_, i) => `t${i}`) })).toBe('ok');
  });

  it('checks a single tag from the URL', () => {
    expect(checkTagParam('web')).toBe('web');
    expect(() => checkTagParam('a/b')).toThrow(
      "Tag 'a/b' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: 'a/b' does not match '^[^,/]*$'",
    );
    expect(() => checkTagParam('x'.repeat(61))).toThrow(/is too long$/);
    expect(() => checkTagCount(51)).toThrow('The number of tags exceeded the per-server limit 50');
    expect(() => checkTagCount(50)).not.toThrow();
  });
});
