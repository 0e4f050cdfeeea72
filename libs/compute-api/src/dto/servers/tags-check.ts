import { Check, fieldError, jsonTypeOf, typeReason } from './checks';
import { TAG_PATTERN } from './formats';
import { pyRepr } from '../../http/py-repr';

const TAG = new RegExp(TAG_PATTERN);

/** Why a tag is not parameter_types.tag (a 1-60 character string without ',' or '/'), if it is not. */
export function tagProblem(tag: unknown): string | undefined {
  if (typeof tag !== 'string') {
    return typeReason(tag, ['string']);
  }
  const length = [...tag].length;
  if (length < 1) {
    return `${pyRepr(tag)} is too short`;
  }
  if (length > 60) {
    return `${pyRepr(tag)} is too long`;
  }
  return TAG.test(tag) ? undefined : `${pyRepr(tag)} does not match '${TAG_PATTERN}'`;
}

/** Each item of a list of tags (Nova names a bad item by its index). */
export function EachTag(): PropertyDecorator {
  return Check('tags', (value) => {
    if (jsonTypeOf(value) !== 'array') {
      return;
    }
    (value as unknown[]).forEach((tag, i) => {
      const problem = tagProblem(tag);
      if (problem) {
        throw fieldError(i, tag, problem);
      }
    });
  });
}

/** The same for any list of strings with a minimum length (trusted certificate ids). */
export function EachString(minLength: number): PropertyDecorator {
  return Check('items', (value) => {
    if (jsonTypeOf(value) !== 'array') {
      return;
    }
    (value as unknown[]).forEach((item, i) => {
      if (typeof item !== 'string') {
        throw fieldError(i, item, typeReason(item, ['string']));
      }
      if ([...item].length < minLength) {
        throw fieldError(i, item, `${pyRepr(item)} is too short`);
      }
    });
  });
}
