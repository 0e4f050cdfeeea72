import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/*
 * A real WebSocket client for console tests: Node's own (undici's) WebSocket,
 * which Node 20 exposes behind --experimental-websocket, run in a child
 * process and driven over its stdin/stdout. It shares no code with our server.
 */
const CLIENT = `
const [url, protocols] = [process.argv[1], JSON.parse(process.argv[2])];
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const ws = new WebSocket(url, protocols);
ws.binaryType = 'arraybuffer';
ws.onopen = () => out({ event: 'open', protocol: ws.protocol });
ws.onmessage = (m) => out({ event: 'message', binary: typeof m.data !== 'string',
  data: Buffer.from(typeof m.data === 'string' ? m.data : new Uint8Array(m.data)).toString('base64') });
ws.onerror = () => out({ event: 'error' });
ws.onclose = (c) => { out({ event: 'close', code: c.code, reason: c.reason }); process.exit(0); };
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line);
  if (command.send !== undefined) ws.send(Buffer.from(command.send, 'base64'));
  if (command.close) ws.close(1000, 'bye');
});
`;

export interface WsClose {
  readonly code: number;
  readonly reason: string;
}

/** One WebSocket session: what the server sent, and how it ended. */
export class WsSession {
  /** Everything received, as text. */
  received = '';
  /** Every message arrived as a binary frame. */
  allBinary = true;
  protocol: string | null = null;
  readonly closed: Promise<WsClose>;
  readonly opened: Promise<boolean>;
  private readonly child: ChildProcess;

  constructor(url: string, protocols: readonly string[] = []) {
    this.child = spawn(
      process.execPath,
      ['--no-warnings', '--experimental-websocket', '-e', CLIENT, url, JSON.stringify(protocols)],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let onOpen: (open: boolean) => void = () => undefined;
    this.opened = new Promise((resolve) => (onOpen = resolve));
    this.closed = new Promise((resolve) => {
      const lines = createInterface({ input: this.child.stdout! });
      lines.on('line', (line) => {
        const event = JSON.parse(line) as {
          event: string;
          protocol?: string;
          binary?: boolean;
          data?: string;
          code?: number;
          reason?: string;
        };
        if (event.event === 'open') {
          this.protocol = event.protocol || null;
          onOpen(true);
        } else if (event.event === 'message') {
          this.received += Buffer.from(event.data ?? '', 'base64').toString('utf8');
          this.allBinary &&= event.binary === true;
        } else if (event.event === 'close') {
          onOpen(false);
          resolve({ code: event.code ?? 0, reason: event.reason ?? '' });
        }
      });
      this.child.once('exit', () => {
        onOpen(false);
        resolve({ code: -1, reason: 'client exited' });
      });
    });
  }

  send(text: string): void {
    this.child.stdin!.write(`${JSON.stringify({ send: Buffer.from(text).toString('base64') })}\n`);
  }

  /** Until what was received contains `text`. */
  async waitFor(text: string, timeoutMs = 10_000): Promise<string> {
    const started = Date.now();
    while (!this.received.includes(text)) {
      if (Date.now() - started > timeoutMs) {
        throw new Error(
          `no ${JSON.stringify(text)} within ${timeoutMs} ms: got ${JSON.stringify(this.received)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.received;
  }

  async close(): Promise<WsClose> {
    this.child.stdin!.write(`${JSON.stringify({ close: true })}\n`);
    const result = await this.closed;
    this.child.kill();
    return result;
  }
}
