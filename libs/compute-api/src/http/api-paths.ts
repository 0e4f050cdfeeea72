/** A resource's routes, with and without the project id in the URL (optional since 2.18). */
export function apiPaths(resource: string): string[] {
  return [`v2.1/${resource}`, `v2.1/:project_id/${resource}`];
}
