import { createHash } from 'node:crypto';

/** Nova's utils.isotime: `2026-11-21T20:07:24Z` (UTC, to the second). */
export function isoTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * How Nova prints naive datetimes (OS-SRV-USG:*): microseconds, no zone,
 * `2026-11-21T20:07:24.000000`. A Date holds milliseconds only.
 */
export function usageTime(date: Date | null): string | null {
  if (date === null) {
    return null;
  }
  const iso = date.toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000`;
}

/** hostIds already worked out: a list shows the same few (project, host) pairs again and again. */
const hostIds = new Map<string, string>();
const HOST_IDS_KEPT = 10_000;

/**
 * hostId: an opaque per-project host identity, sha224 of project id + host,
 * so projects can tell co-located servers apart without learning host names.
 */
export function hostId(projectId: string, host: string | null): string {
  if (!host) {
    return '';
  }
  const key = projectId + host;
  let id = hostIds.get(key);
  if (id === undefined) {
    id = createHash('sha224').update(key).digest('hex');
    if (hostIds.size >= HOST_IDS_KEPT) {
      hostIds.clear();
    }
    hostIds.set(key, id);
  }
  return id;
}
