import { Invalid } from '@nova/common';
import type { ImageFilters, ImageListQuery } from '@nova/images';
import { intParam, pageOf, single, type Query } from '../../http/query';

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * GET /images[/detail] query: Nova's filters (name, status, changes-since, minRam,
 * minDisk, server, type) and paging. Other parameters are ignored, as Nova did
 * (the image API is gone before query strictness came in 2.75).
 */
export function imageListQuery(query: Query, maxLimit: number): ImageListQuery {
  const name = single(query, 'name');
  const status = single(query, 'status');
  const changesSince = single(query, 'changes-since');
  const minRam = single(query, 'minRam');
  const minDisk = single(query, 'minDisk');
  const server = single(query, 'server');
  const type = single(query, 'type');
  const filters: ImageFilters = {
    ...(name !== undefined ? { name } : {}),
    ...(status !== undefined ? { status: status.toLowerCase() } : {}),
    ...(changesSince !== undefined ? { changesSince: isoTime(changesSince, 'changes-since') } : {}),
    ...(minRam !== undefined ? { minRam: intParam(minRam, 'minRam') } : {}),
    ...(minDisk !== undefined ? { minDisk: intParam(minDisk, 'minDisk') } : {}),
    // Nova takes the server's id or its URL.
    ...(server !== undefined ? { instanceUuid: server.replace(/\/+$/, '').split('/').pop() } : {}),
    ...(type !== undefined ? { imageType: type } : {}),
  };
  return { ...pageOf(query, maxLimit), filters };
}

/** An ISO 8601 time; without a zone it is UTC, as oslo reads it. */
export function isoTime(text: string, name: string): Date {
  const match = ISO_8601.exec(text.trim());
  const value = match ? new Date(withZone(text.trim(), match[1])) : undefined;
  if (!value || Number.isNaN(value.getTime())) {
    throw new Invalid(
      `Invalid input for query parameters ${name}. Value: ${text}. '${text}' is not a 'date-time'`,
    );
  }
  return value;
}

function withZone(text: string, zone: string | undefined): string {
  const iso = text.replace(' ', 'T');
  if (zone !== undefined) {
    return iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'); // +0100 -> +01:00 for Date
  }
  return iso.includes('T') ? `${iso}Z` : iso; // date-only strings are UTC already
}
