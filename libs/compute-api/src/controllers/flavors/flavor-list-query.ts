import { Invalid } from '@nova/common';
import { FLAVOR_SORT_KEYS, type FlavorSortKey } from '@nova/flavors';
import type { ApiVersion } from '../../http/api-version';
import { boolParam, checkQueryKeys, intParam, pageOf, single, type Query } from '../../http/query';

const LIST_PARAMS = ['is_public', 'minRam', 'minDisk', 'sort_key', 'sort_dir', 'limit', 'marker'];

/** GET /flavors[/detail] query parameters, with Nova's defaults and errors. */
export function flavorListQuery(query: Query, version: ApiVersion, maxLimit: number) {
  checkQueryKeys(query, LIST_PARAMS, version);
  const isPublicText = single(query, 'is_public');
  // Admins see only public flavors unless they ask; 'none' means every flavor.
  const isPublic =
    isPublicText === undefined
      ? true
      : isPublicText.toLowerCase() === 'none'
        ? null
        : parseIsPublic(isPublicText);
  const sortKey = single(query, 'sort_key') ?? 'flavorid';
  if (!(FLAVOR_SORT_KEYS as readonly string[]).includes(sortKey)) {
    throw new Invalid(
      `Invalid input for query parameters sort_key. Value: ${sortKey}. '${sortKey}' is not one of ${FLAVOR_SORT_KEYS.join(', ')}`,
    );
  }
  const sortDir = single(query, 'sort_dir') ?? 'asc';
  if (sortDir !== 'asc' && sortDir !== 'desc') {
    throw new Invalid(
      `Invalid input for query parameters sort_dir. Value: ${sortDir}. '${sortDir}' is not one of ['asc', 'desc']`,
    );
  }
  const minRam = single(query, 'minRam');
  const minDisk = single(query, 'minDisk');
  return {
    isPublic,
    ...(minRam !== undefined ? { minMemoryMb: intParam(minRam, 'minRam') } : {}),
    ...(minDisk !== undefined ? { minRootGb: intParam(minDisk, 'minDisk') } : {}),
    sortKey: sortKey as FlavorSortKey,
    sortDir: sortDir === 'desc' ? ('desc' as const) : ('asc' as const),
    ...pageOf(query, maxLimit),
  };
}

function parseIsPublic(text: string): boolean {
  try {
    return boolParam(text, 'is_public');
  } catch {
    throw new Invalid(`Invalid is_public filter [${text}]`);
  }
}
