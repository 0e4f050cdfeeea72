import { Invalid } from '@nova/common';
import { FLAVOR_SORT_KEYS, type FlavorSortKey } from '@nova/flavors';
import type { ApiVersion } from '../../http/api-version';
import { boolParam, intParam, pageOf, single, type Query } from '../../http/query';
import { LIMIT, QuerySchema, SORT_DIR } from '../../http/query-schema';

export const FLAVOR_LIST_QUERY = new QuerySchema([
  { name: 'is_public', schema: { type: 'string', description: "a boolean, or 'none' for all" } },
  { name: 'minRam', schema: { type: 'integer', minimum: 0 } },
  { name: 'minDisk', schema: { type: 'integer', minimum: 0 } },
  { name: 'sort_key', schema: { type: 'string', enum: [...FLAVOR_SORT_KEYS] } },
  { name: 'sort_dir', schema: SORT_DIR },
  { name: 'limit', schema: LIMIT },
  { name: 'marker' },
]);

/** GET /flavors[/detail] query parameters, with Nova's defaults and errors. */
export function flavorListQuery(query: Query, version: ApiVersion, maxLimit: number) {
  FLAVOR_LIST_QUERY.check(query, version);
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
