import { Invalid } from '@nova/common';

/** The optional VERSION argument of `api_db sync` / `db sync`. */
export function parseVersion(text: string | undefined): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(text)) {
    throw new Invalid('version should be an integer');
  }
  return Number(text);
}
