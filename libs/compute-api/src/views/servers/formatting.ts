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

/**
 * hostId: an opaque per-project host identity, sha224 of project id + host,
 * so projects can tell co-located servers apart without learning host names.
 */
export function hostId(projectId: string, host: string | null): string {
  return host
    ? createHash('sha224')
        .update(projectId + host)
        .digest('hex')
    : '';
}
