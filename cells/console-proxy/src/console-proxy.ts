import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData, type ServerOptions } from 'ws';
import type { ConsoleAuthRecord } from '@nova/cells/db';
import { describeError } from '@nova/common';
import { getLogger } from '@nova/logging';
import { originProblem, tokenOf } from './request-checks';

const log = getLogger('console-proxy');

/** How long the proxy waits for a compute host's console to accept the connection. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long a closing handshake waits for the client's close frame before cutting it off. */
const CLOSE_TIMEOUT_MS = 2000;
/** Largest message accepted from a client (a console client sends keystrokes and small updates). */
const MAX_PAYLOAD = 4 * 1024 * 1024;
/** Bytes queued towards a client above which the console is no longer read (bounded memory). */
const HIGH_WATER = 1024 * 1024;

/** Close codes we send (RFC 6455 section 7.4.1). */
const CloseCode = { NORMAL: 1000, POLICY_VIOLATION: 1008, INTERNAL_ERROR: 1011 } as const;

/** `closeTimeout` is ws 8.19+; @types/ws does not know it yet. */
const SERVER_OPTIONS: ServerOptions & { closeTimeout: number } = {
  noServer: true,
  clientTracking: false,
  perMessageDeflate: false,
  maxPayload: MAX_PAYLOAD,
  closeTimeout: CLOSE_TIMEOUT_MS,
  // noVNC asks for `binary`; nothing else is spoken (no Sec-WebSocket-Protocol answered).
  handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
};

export interface ConsoleProxyOptions {
  /** Binary name, for logs (nova-novncproxy, nova-serialproxy, ...). */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** The console types this proxy serves (a token of another type is refused). */
  readonly consoleTypes: readonly string[];
  /** `[console] allowed_origins`. */
  readonly allowedOrigins: readonly string[];
  /** Redeem a token: its authorization, deleted so it cannot be used again; null when none. */
  readonly redeem: (token: string) => Promise<ConsoleAuthRecord | null>;
}

/** A message's bytes (ws hands Buffers with its default binaryType). */
const bytesOf = (data: RawData): Buffer =>
  Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);

/**
 * A console proxy (Nova's nova-novncproxy, nova-serialproxy,
 * nova-spicehtml5proxy): a WebSocket server (the `ws` package) whose clients
 * present a console token. The handshake completes first, so that a browser
 * can be told why it is refused (a close frame 1008 with the reason; an HTTP
 * status never reaches its script); the token is then redeemed once (it cannot
 * be used again), the Origin checked as Nova does, and bytes flow both ways
 * between the WebSocket (binary frames) and the console's TCP port on the
 * compute host.
 */
export class ConsoleProxy {
  private server?: Server;
  private wss?: WebSocketServer;
  /** Every upgraded connection, cut off on stop. */
  private readonly sessions = new Set<Duplex>();

  constructor(private readonly options: ConsoleProxyOptions) {}

  /** Listen; resolves with the port (the configured one, or the one chosen for port 0). */
  async start(): Promise<number> {
    const wss = new WebSocketServer(SERVER_OPTIONS);
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${this.options.name} serves WebSocket console connections only.\n`);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.sessions.add(socket);
      socket.once('close', () => this.sessions.delete(socket));
      // ws answers a malformed handshake itself (400), before any token is redeemed.
      wss.handleUpgrade(req, socket, head, (ws) => this.session(ws, req));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.wss = wss;
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : this.options.port;
    log.info(
      { proxy: this.options.name, host: this.options.host, port },
      `${this.options.name} listening on ${this.options.host}:${port}`,
    );
    return port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.wss?.close();
    this.wss = undefined;
    for (const socket of this.sessions) {
      socket.destroy();
    }
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** An open WebSocket: not read until its token is redeemed and its Origin checked. */
  private session(ws: WebSocket, req: IncomingMessage): void {
    const peer = req.socket.remoteAddress;
    // Protocol violations: ws has already closed with the right code (1002, 1007, 1009).
    ws.on('error', (err) =>
      log.info({ proxy: this.options.name, peer, err: err.message }, 'WebSocket protocol error'),
    );
    ws.pause();
    this.admit(req)
      .then((admitted) => {
        if (ws.readyState !== WebSocket.OPEN) {
          return;
        }
        ws.resume();
        if ('refused' in admitted) {
          ws.close(CloseCode.POLICY_VIOLATION, admitted.refused);
        } else {
          this.pipe(ws, admitted.record);
        }
      })
      .catch((err: unknown) => {
        log.error({ proxy: this.options.name, err: describeError(err) }, 'console session failed');
        ws.terminate();
      });
  }

  /** The console a connection may reach, or why it may not (Nova's reasons). */
  private async admit(
    req: IncomingMessage,
  ): Promise<{ record: ConsoleAuthRecord } | { refused: string }> {
    const token = tokenOf(req.url ?? '/', req.headers.cookie);
    const record = token ? await this.options.redeem(token) : null;
    const peer = req.socket.remoteAddress;
    if (!record || !this.options.consoleTypes.includes(record.console_type)) {
      log.info({ proxy: this.options.name, peer }, 'console token refused');
      return { refused: 'The token is invalid or has expired' };
    }
    const problem = originProblem(req.headers, record.access_url_base, this.options.allowedOrigins);
    if (problem) {
      log.info({ proxy: this.options.name, peer, origin: req.headers.origin }, problem);
      return { refused: problem };
    }
    log.info(
      {
        proxy: this.options.name,
        peer,
        instance_uuid: record.instance_uuid,
        target: `${record.host}:${record.port}`,
      },
      'console session opened',
    );
    return { record };
  }

  /**
   * Bytes both ways, each side paused while the other cannot take more: the
   * console is not read while more than HIGH_WATER bytes wait for the client,
   * the client not while the console's socket is full.
   */
  private pipe(ws: WebSocket, record: ConsoleAuthRecord): void {
    const tcp: Socket = connect({ host: record.host, port: record.port });
    tcp.setNoDelay(true);
    const timer = setTimeout(() => tcp.destroy(new Error('connect timeout')), CONNECT_TIMEOUT_MS);
    let connected = false;
    tcp.once('connect', () => {
      connected = true;
      clearTimeout(timer);
    });
    const sent = () => {
      if (tcp.isPaused() && ws.bufferedAmount <= HIGH_WATER) {
        tcp.resume();
      }
    };
    tcp.on('data', (chunk: Buffer) => {
      ws.send(chunk, { binary: true }, sent);
      if (ws.bufferedAmount > HIGH_WATER) {
        tcp.pause();
      }
    });
    ws.on('message', (data) => {
      if (!tcp.destroyed && !tcp.write(bytesOf(data))) {
        ws.pause();
      }
    });
    tcp.on('drain', () => ws.resume());
    tcp.on('error', (err) => {
      log.warn(
        { proxy: this.options.name, instance_uuid: record.instance_uuid, err: err.message },
        connected ? 'console connection failed' : 'could not reach the console',
      );
    });
    tcp.on('close', () => {
      clearTimeout(timer);
      ws.close(
        connected ? CloseCode.NORMAL : CloseCode.INTERNAL_ERROR,
        connected ? 'The console closed the connection' : 'Could not reach the console',
      );
    });
    ws.on('close', () => tcp.destroy());
  }
}
