/**
 * A resource's routes, with and without the project id in the URL (optional
 * since 2.18), under /v2.1 and under Nova's legacy /v2 (which is 2.1 without
 * microversions, see request-hooks).
 */
export function apiPaths(resource: string): string[] {
  return [
    `v2.1/${resource}`,
    `v2.1/:project_id/${resource}`,
    `v2/${resource}`,
    `v2/:project_id/${resource}`,
  ];
}

/** The legacy v2.0 endpoint: always 2.1, and no microversion headers in or out (Nova's). */
export function isLegacyV2(path: string): boolean {
  return path === '/v2' || path.startsWith('/v2/');
}
