import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';

export type GlanceImageDoc = Record<string, unknown> & { id: string };

export interface GlanceRequest {
  method: string;
  url: string;
  token?: string;
  requestId?: string;
}

/**
 * A local stand-in for Glance's v2 image API: list (equality filters, updated_at
 * gte:, limit/marker with `next`, newest first), show, delete (403 when
 * protected). It records every request and can be told to fail the next ones.
 */
export class GlanceDouble {
  readonly images = new Map<string, GlanceImageDoc>();
  readonly requests: GlanceRequest[] = [];
  /** Statuses to answer the next requests with, before serving normally. */
  readonly failures: number[] = [];
  private server?: Server;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  add(...docs: GlanceImageDoc[]): void {
    for (const doc of docs) {
      this.images.set(doc.id, doc);
    }
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    this.requests.push({
      method: req.method ?? 'GET',
      url: `${url.pathname}${url.search}`,
      ...(header('x-auth-token') ? { token: header('x-auth-token') } : {}),
      ...(header('x-openstack-request-id') ? { requestId: header('x-openstack-request-id') } : {}),
    });
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'Content-Type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const failure = this.failures.shift();
    if (failure !== undefined) {
      return send(failure, { code: failure, message: 'injected failure', title: 'Failure' });
    }
    const one = /^\/v2\/images\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === '/v2/images' && req.method === 'GET') {
      return this.list(url.searchParams, send);
    }
    if (one) {
      const doc = this.images.get(decodeURIComponent(one[1]));
      if (!doc) {
        return send(404, { code: 404, message: 'No image found', title: 'Not Found' });
      }
      if (req.method === 'GET') {
        return send(200, doc);
      }
      if (req.method === 'DELETE') {
        if (doc['protected'] === true) {
          return send(403, { code: 403, message: 'Image is protected', title: 'Forbidden' });
        }
        this.images.delete(doc.id);
        return send(204);
      }
    }
    send(404, { code: 404, message: 'no such route', title: 'Not Found' });
  }

  private list(params: URLSearchParams, send: (status: number, body?: unknown) => void): void {
    let docs = [...this.images.values()].sort(
      (a, b) =>
        String(b['created_at']).localeCompare(String(a['created_at'])) || b.id.localeCompare(a.id),
    );
    const marker = params.get('marker');
    if (marker !== null) {
      const at = docs.findIndex((d) => d.id === marker);
      if (at < 0) {
        return send(400, {
          code: 400,
          message: `Invalid marker. Image ${marker} could not be found.`,
        });
      }
      docs = docs.slice(at + 1);
    }
    for (const [key, value] of params) {
      if (key === 'limit' || key === 'marker') {
        continue;
      }
      if (key === 'updated_at' && value.startsWith('gte:')) {
        const since = Date.parse(value.slice(4));
        docs = docs.filter((d) => Date.parse(String(d['updated_at'])) >= since);
      } else {
        docs = docs.filter((d) => String(d[key]) === value);
      }
    }
    const limit = Number(params.get('limit') ?? 25);
    const page = docs.slice(0, limit);
    const last = page[page.length - 1];
    send(200, {
      images: page,
      first: '/v2/images',
      schema: '/v2/schemas/images',
      ...(last && docs.length > limit
        ? { next: `/v2/images?marker=${last.id}&limit=${limit}` }
        : {}),
    });
  }
}
