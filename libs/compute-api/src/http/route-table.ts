/**
 * Every route pattern by method, collected as Fastify registers them, so an
 * unmatched request can be told apart: 405 (path exists for another method,
 * with Allow) or 404.
 */
export class RouteTable {
  private readonly routes: Array<{ method: string; pattern: RegExp }> = [];

  add(method: string | string[], url: string): void {
    const regex = new RegExp(
      `^${url
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\/:[^/]+/g, '/[^/]+')
        .replace(/\/$/, '')}/?$`,
    );
    for (const m of Array.isArray(method) ? method : [method]) {
      if (m !== 'HEAD') {
        this.routes.push({ method: m, pattern: regex });
      }
    }
  }

  /** Methods that would match this path (empty: no such resource). */
  allowed(path: string): string[] {
    const clean = path.split('?')[0] ?? path;
    return [...new Set(this.routes.filter((r) => r.pattern.test(clean)).map((r) => r.method))];
  }
}
