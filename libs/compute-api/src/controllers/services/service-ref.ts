import { Invalid } from '@nova/common';
import type { RecordRef } from '@nova/host-inventory';
import type { ApiVersion } from '../../http/api-version';
import { uuidLike } from '../../http/uuid-like';

/** A service id from the URL: a uuid from 2.53 (else 400), an integer before. */
export function serviceRef(id: string, version: ApiVersion): RecordRef {
  if (version.atLeast('2.53')) {
    const uuid = uuidLike(id);
    if (uuid === null) {
      throw new Invalid(`Invalid uuid ${id}`);
    }
    return { uuid };
  }
  // Python's int(): surrounding blanks and a sign are fine.
  if (!/^\s*[-+]?\d+\s*$/.test(id) || !Number.isSafeInteger(Number(id))) {
    throw new Invalid('Invalid input received: id must be an integer');
  }
  return { id: Number(id) };
}
