import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface FakeToken {
  userId: string;
  projectId: string;
  roles: string[];
  expiresAt?: Date;
}

/**
 * A local stand-in for Keystone's `/v3/auth/tokens` contract: password auth for
 * the service user (201 + X-Subject-Token), and token validation (200, or 404 for
 * an unknown token; 401 when the service token is not one it issued).
 */
export class KeystoneDouble {
  readonly tokens = new Map<string, FakeToken>();
  validations = 0;
  serviceLogins = 0;
  private server?: Server;
  private serviceTokens = new Set<string>();
  port = 0;

  constructor(private readonly service: { username: string; password: string }) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer(
      (req, res) => void this.handle(req, res.writeHead.bind(res), res.end.bind(res)),
    );
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  revokeServiceTokens(): void {
    this.serviceTokens.clear();
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(
    req: IncomingMessage,
    writeHead: (s: number, h?: Record<string, string>) => unknown,
    end: (b?: string) => unknown,
  ): Promise<void> {
    const body = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => resolve(data));
    });
    if (req.url !== '/v3/auth/tokens') {
      writeHead(404);
      end();
      return;
    }
    if (req.method === 'POST') {
      const auth = JSON.parse(body) as {
        auth: { identity: { password: { user: { name: string; password: string } } } };
      };
      const user = auth.auth.identity.password.user;
      if (user.name !== this.service.username || user.password !== this.service.password) {
        writeHead(401, { 'Content-Type': 'application/json' });
        end('{"error": {"code": 401}}');
        return;
      }
      this.serviceLogins++;
      const token = `svc-${this.serviceLogins}`;
      this.serviceTokens.add(token);
      writeHead(201, { 'Content-Type': 'application/json', 'X-Subject-Token': token });
      end(JSON.stringify({ token: { expires_at: new Date(Date.now() + 3600_000).toISOString() } }));
      return;
    }
    this.validations++;
    if (!this.serviceTokens.has(String(req.headers['x-auth-token']))) {
      writeHead(401, { 'Content-Type': 'application/json' });
      end('{"error": {"code": 401}}');
      return;
    }
    const token = this.tokens.get(String(req.headers['x-subject-token']));
    if (!token) {
      writeHead(404, { 'Content-Type': 'application/json' });
      end('{"error": {"code": 404}}');
      return;
    }
    writeHead(200, { 'Content-Type': 'application/json' });
    end(
      JSON.stringify({
        token: {
          expires_at: (token.expiresAt ?? new Date(Date.now() + 3600_000)).toISOString(),
          user: { id: token.userId },
          project: { id: token.projectId },
          roles: token.roles.map((name) => ({ name })),
        },
      }),
    );
  }
}
