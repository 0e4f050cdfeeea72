import { limited } from './list-limits';

describe("Nova's common.limited", () => {
  const items = [1, 2, 3, 4, 5];

  it('applies offset and limit, capped at max_limit (0 means max_limit)', () => {
    expect(limited(items, {}, 3)).toEqual([1, 2, 3]);
    expect(limited(items, { offset: '1', limit: '2' }, 10)).toEqual([2, 3]);
    expect(limited(items, { limit: '0' }, 4)).toEqual([1, 2, 3, 4]);
    expect(limited(items, { limit: '9' }, 2)).toEqual([1, 2]);
    expect(limited(items, { offset: '9' }, 10)).toEqual([]);
  });

  it('rejects what is not a non-negative integer', () => {
    expect(() => limited(items, { limit: 'x' }, 10)).toThrow(
      'Invalid input received: limit must be an integer',
    );
    expect(() => limited(items, { offset: '-1' }, 10)).toThrow(
      'Invalid input received: offset must be >= 0',
    );
  });
});
