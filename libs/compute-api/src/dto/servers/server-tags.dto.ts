import { IsArray } from 'class-validator';
import { Invalid } from '@nova/common';
import { IsPresent } from '../validators';
import { bodyClass } from './body-class';
import { EachTag, tagProblem } from './tags-check';

/** Tags per server (Nova's instance.MAX_TAG_COUNT). */
export const MAX_TAGS_PER_SERVER = 50;

/** `{"tags": [...]}`: PUT /servers/{id}/tags (2.26). */
export interface ServerTagsBodyFields {
  tags: string[];
}

export const ServerTagsBody = bodyClass('ServerTagsBody', '2.26', [
  { name: 'tags', rules: () => [IsPresent(), IsArray(), EachTag()] },
]);

/** The new tag set: duplicates dropped, at most 50. */
export function tagsFromBody(body: ServerTagsBodyFields): string[] {
  const tags = [...new Set(body.tags)];
  checkTagCount(tags.length);
  return tags;
}

/** 400 when a server would have more than 50 tags (after a replace or an add). */
export function checkTagCount(count: number): void {
  if (count > MAX_TAGS_PER_SERVER) {
    throw new Invalid(`The number of tags exceeded the per-server limit ${MAX_TAGS_PER_SERVER}`);
  }
}

/** The tag of PUT/DELETE /servers/{id}/tags/{tag}, checked as Nova does (400). */
export function checkTagParam(tag: string): string {
  const problem = tagProblem(tag);
  if (problem) {
    throw new Invalid(
      `Tag '${tag}' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: ${problem}`,
    );
  }
  return tag;
}
