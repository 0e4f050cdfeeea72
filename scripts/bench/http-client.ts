import { Agent, request } from 'node:http';

export interface HttpResponse {
  status: number;
  text: string;
  json<T = any>(): T;
}

/**
 * A small keep-alive HTTP/1.1 client for the compute API (less overhead per
 * request than fetch, so sequential latencies are mostly the server's).
 */
export class ApiHttp {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(readonly base: string) {}

  call(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; version?: string; timeoutMs?: number } = {},
  ): Promise<HttpResponse> {
    const url = new URL(path, this.base);
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = {
      'x-auth-token': opts.token ?? 'admin:admin',
      accept: 'application/json',
    };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (opts.version) {
      headers['openstack-api-version'] = `compute ${opts.version}`;
    }
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: url.hostname,
          port: url.port,
          method,
          path: `${url.pathname}${url.search}`,
          headers,
          timeout: opts.timeoutMs ?? 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              text,
              json: <T>() => JSON.parse(text) as T,
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  get(path: string, token?: string): Promise<HttpResponse> {
    return this.call('GET', path, { token });
  }

  /** Like call(), but any status other than `expected` throws with the response body. */
  async expect(
    expected: number | number[],
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; version?: string } = {},
  ): Promise<HttpResponse> {
    const res = await this.call(method, path, opts);
    const ok = Array.isArray(expected) ? expected.includes(res.status) : res.status === expected;
    if (!ok) {
      throw new Error(`${method} ${path} -> HTTP ${res.status}: ${res.text.slice(0, 800)}`);
    }
    return res;
  }

  close(): void {
    this.agent.destroy();
  }
}
