import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NEUTRON_URL } from './keystone';

/** What the proxy does to port creates (POST /v2.0/ports): pass, fail with 500, or drop the connection. */
export type PortCreateFault =
  | { readonly kind: 'none' }
  /** Let `passing` creates through, answer the next ones 500 (Neutron breaking mid-create). */
  | { readonly kind: 'error-after'; readonly passing: number }
  /** Every create finds no Neutron (the connection is dropped). */
  | { readonly kind: 'down' };

/**
 * A pass-through proxy in front of the real neutron-server on 127.0.0.1, for
 * `[neutron] endpoint_override`: it breaks port creates on demand, so a test
 * can take Neutron away in the middle of a build without stopping the
 * neutron-server other suites share.
 */
export class NeutronProxy {
  fault: PortCreateFault = { kind: 'none' };
  private creates = 0;

  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        (answer) => {
          if (answer === 'drop') {
            req.socket.destroy();
            return;
          }
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        },
        () => req.socket.destroy(),
      );
    });
  }

  static async start(): Promise<NeutronProxy> {
    const proxy = new NeutronProxy();
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Port creates again pass (and are counted from zero). */
  reset(): void {
    this.fault = { kind: 'none' };
    this.creates = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<'drop' | { status: number; headers: Record<string, string>; body: Buffer }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const path = req.url ?? '/';
    if (req.method === 'POST' && /^\/v2\.0\/ports\/?$/.test(path)) {
      this.creates++;
      if (this.fault.kind === 'down') {
        return 'drop';
      }
      if (this.fault.kind === 'error-after' && this.creates > this.fault.passing) {
        return {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(
            JSON.stringify({
              NeutronError: { type: 'HTTPInternalServerError', message: 'broken' },
            }),
          ),
        };
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) {
        headers[k] = v;
      }
    }
    const body = Buffer.concat(chunks);
    const upstream = await fetch(`${NEUTRON_URL}${path}`, {
      method: req.method ?? 'GET',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k)) {
        out[k] = v;
      }
    });
    return {
      status: upstream.status,
      headers: out,
      body: Buffer.from(await upstream.arrayBuffer()),
    };
  }
}
