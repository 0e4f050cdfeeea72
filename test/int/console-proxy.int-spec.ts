import { createHash, type Hash } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { WebSocket, type ClientOptions } from 'ws';
import type { ConsoleAuthRecord } from '@nova/cells/db';
import { ConsoleProxy } from '@nova/cells/console-proxy';

/**
 * One console proxy in this process, on real sockets: a fake console (a TCP
 * server), a stand-in for the token store (the cell databases are
 * remote-consoles.int-spec.ts's business) and `ws` as the client.
 */
describe('console proxy (WebSocket to TCP)', () => {
  let consoleServer: Server;
  let consolePort: number;
  /** The console side of each session, as it connects. */
  let consoleSockets: Socket[] = [];
  let onConsole: (socket: Socket) => void = () => undefined;
  let proxy: ConsoleProxy;
  let proxyPort: number;
  /** Tokens the proxy redeemed, in order. */
  let redeemed: string[] = [];
  let records: Map<string, ConsoleAuthRecord>;
  const clients: WebSocket[] = [];
  const dial = (path: string, protocols: string[] = [], options: ClientOptions = {}) => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxyPort}${path}`, protocols, options);
    clients.push(ws);
    ws.on('error', () => undefined);
    return ws;
  };

  const record = (console_type: string, port = consolePort): ConsoleAuthRecord => ({
    console_type,
    host: '127.0.0.1',
    port,
    internal_access_path: null,
    instance_uuid: '11111111-2222-4333-8444-555555555555',
    access_url_base: 'ws://127.0.0.1/',
    expires: Math.floor(Date.now() / 1000) + 600,
  });

  beforeAll(async () => {
    consoleServer = createServer((socket) => {
      consoleSockets.push(socket);
      socket.on('error', () => undefined);
      onConsole(socket);
    });
    await new Promise<void>((r) => consoleServer.listen(0, '127.0.0.1', r));
    consolePort = (consoleServer.address() as { port: number }).port;
    proxy = new ConsoleProxy({
      name: 'test-serialproxy',
      host: '127.0.0.1',
      port: 0,
      consoleTypes: ['serial'],
      allowedOrigins: ['portal.test'],
      redeem: async (token) => {
        redeemed.push(token);
        const found = records.get(token) ?? null;
        records.delete(token);
        return found;
      },
    });
    proxyPort = await proxy.start();
  });

  beforeEach(() => {
    redeemed = [];
    records = new Map();
    consoleSockets = [];
    onConsole = (socket) => {
      socket.write('login: ');
      socket.pipe(socket);
    };
  });

  /** A failed test leaves nothing open behind it. */
  afterEach(() => {
    clients.splice(0).forEach((ws) => ws.terminate());
    consoleSockets.forEach((socket) => socket.destroy());
  });

  afterAll(async () => {
    await proxy.stop();
    await new Promise((r) => consoleServer.close(r));
  });

  /** A client and what it receives, until it is closed. */
  const open = (path: string, protocols: string[] = [], options: ClientOptions = {}) => {
    const ws = dial(path, protocols, options);
    let received = '';
    let allBinary = true;
    ws.on('message', (data, binary) => {
      allBinary &&= binary;
      received += (data as Buffer).toString('latin1');
    });
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    const until = async (text: string) => {
      while (!received.includes(text)) {
        if (ws.readyState === WebSocket.CLOSED) {
          throw new Error(`closed before ${JSON.stringify(text)}: got ${received}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    return { ws, closed, until, received: () => received, allBinary: () => allBinary };
  };
  const opened = (ws: WebSocket) =>
    new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('close', () => reject(new Error('closed before open')));
    });

  it('pipes binary frames both ways, answers `binary`, and redeems the token once', async () => {
    records.set('t1', record('serial'));
    const client = open('/?token=t1', ['base64', 'binary']);
    await opened(client.ws);
    expect(client.ws.protocol).toBe('binary');
    await client.until('login: ');
    client.ws.send(Buffer.from('root\n'));
    await client.until('login: root\n');
    // A text frame's bytes go through too (a serial client may type text).
    client.ws.send('ls\n');
    await client.until('root\nls\n');
    expect(client.allBinary()).toBe(true);
    const consoleEnded = new Promise((r) => consoleSockets[0].once('close', r));
    client.ws.close(1000, 'bye');
    expect((await client.closed).code).toBe(1000);
    await consoleEnded;

    const again = open('/?token=t1');
    expect(await again.closed).toEqual({
      code: 1008,
      reason: 'The token is invalid or has expired',
    });
    expect(redeemed).toEqual(['t1', 't1']);
    expect(consoleSockets).toHaveLength(1);
  });

  it('answers no subprotocol when `binary` is not offered', async () => {
    records.set('t2', record('serial'));
    const client = open('/websockify', [], { headers: { Cookie: 'lang=en; token=t2' } });
    await opened(client.ws);
    expect(client.ws.protocol).toBe('');
    await client.until('login: ');
    client.ws.close();
    await client.closed;
  });

  it('refuses with 1008 and a reason: no token, another console type, a foreign Origin', async () => {
    expect(await open('/').closed).toEqual({
      code: 1008,
      reason: 'The token is invalid or has expired',
    });
    records.set('vnc', record('novnc'));
    expect((await open('/?token=vnc').closed).code).toBe(1008);
    records.set('evil', record('serial'));
    expect(await open('/?token=evil', [], { origin: 'http://evil.test' }).closed).toEqual({
      code: 1008,
      reason: 'Origin header does not match this host.',
    });
    records.set('https', record('serial'));
    expect(await open('/?token=https', [], { origin: 'https://portal.test' }).closed).toEqual({
      code: 1008,
      reason: 'Origin header protocol does not match this host.',
    });
    records.set('portal', record('serial'));
    const allowed = open('/?token=portal', [], {
      origin: 'https://portal.test',
      headers: { 'X-Forwarded-Proto': 'http' },
    });
    await allowed.until('login: ');
    allowed.ws.close();
    await allowed.closed;
    expect(redeemed).toEqual(['vnc', 'evil', 'https', 'portal']);
    expect(consoleSockets).toHaveLength(1);
  });

  it('answers a malformed handshake with 400 and redeems nothing', async () => {
    records.set('t3', record('serial'));
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(proxyPort, '127.0.0.1', () =>
        socket.write(
          [
            'GET /?token=t3 HTTP/1.1',
            `Host: 127.0.0.1:${proxyPort}`,
            'Upgrade: websocket',
            'Connection: Upgrade',
            'Sec-WebSocket-Version: 13',
            'Sec-WebSocket-Key: too-short',
            '',
            '',
          ].join('\r\n'),
        ),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(redeemed).toEqual([]);
  });

  it('closes with 1000 when the console goes, 1011 when it cannot be reached', async () => {
    onConsole = (socket) => socket.end('bye\n');
    records.set('t4', record('serial'));
    const client = open('/?token=t4');
    expect(await client.closed).toEqual({
      code: 1000,
      reason: 'The console closed the connection',
    });
    expect(client.received()).toBe('bye\n');

    const unused = createServer();
    await new Promise<void>((r) => unused.listen(0, '127.0.0.1', r));
    const deadPort = (unused.address() as { port: number }).port;
    await new Promise((r) => unused.close(r));
    records.set('t5', record('serial', deadPort));
    expect(await open('/?token=t5').closed).toEqual({
      code: 1011,
      reason: 'Could not reach the console',
    });
  });

  /** The same block for every index: the receiver can tell order and content by a hash. */
  const CHUNK = 64 * 1024;
  const chunk = (i: number) => {
    const b = Buffer.alloc(CHUNK, i & 0xff);
    b.writeUInt32BE(i, 0);
    return b;
  };
  /** More than every buffer on the way can hold: a side that never stalls proves no backpressure. */
  const LIMIT = 256 * 1024 * 1024;
  /** Resolves once `progress()` has not moved for a second (the writer is held back). */
  const stalled = async (progress: () => number) => {
    let last = -1;
    let since = Date.now();
    while (Date.now() - since < 1000) {
      await new Promise((r) => setTimeout(r, 50));
      if (progress() !== last) {
        last = progress();
        since = Date.now();
      }
    }
    return last;
  };

  it('stops reading the console while the client does not read, and loses nothing', async () => {
    let written = 0;
    let stop = false;
    const sentHash = createHash('sha256');
    onConsole = (socket) => {
      let i = 0;
      const pump = () => {
        while (!stop && written < LIMIT) {
          const block = chunk(i++);
          sentHash.update(block);
          written += block.length;
          if (!socket.write(block)) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      pump();
    };
    records.set('flood', record('serial'));
    const client = dial('/?token=flood');
    client.on('open', () => client.pause());
    let received = 0;
    const receivedHash: Hash = createHash('sha256');
    client.on('message', (data: Buffer) => {
      receivedHash.update(data);
      received += data.length;
    });
    const closed = new Promise<number>((r) => client.on('close', (code) => r(code)));

    const held = await stalled(() => written);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(LIMIT);
    stop = true;
    consoleSockets[0].end();
    client.resume();
    expect(await closed).toBe(1000);
    expect(received).toBe(written);
    expect(receivedHash.digest('hex')).toBe(sentHash.digest('hex'));
  });

  it('stops reading the client while the console does not read, and loses nothing', async () => {
    let consoleReceived = 0;
    const consoleHash = createHash('sha256');
    onConsole = (socket) => {
      socket.pause();
      socket.on('data', (data: Buffer) => {
        consoleHash.update(data);
        consoleReceived += data.length;
      });
    };
    records.set('typist', record('serial'));
    const client = dial('/?token=typist');
    await opened(client);
    let sent = 0;
    let stop = false;
    const sentHash = createHash('sha256');
    const pumped = (async () => {
      for (let i = 0; !stop && sent < LIMIT; i++) {
        const block = chunk(i);
        sentHash.update(block);
        sent += block.length;
        // One block in flight: the next goes once this one has left for the proxy.
        await new Promise((r) => client.send(block, r));
      }
    })();
    while (consoleSockets.length === 0) {
      await new Promise((r) => setTimeout(r, 10));
    }

    const held = await stalled(() => sent);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(LIMIT);
    stop = true;
    consoleSockets[0].resume();
    await pumped;
    while (consoleReceived < sent) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(consoleReceived).toBe(sent);
    expect(consoleHash.digest('hex')).toBe(sentHash.digest('hex'));
    client.close();
  });

  it('cuts off open sessions when stopped', async () => {
    const other = new ConsoleProxy({
      name: 'test-novncproxy',
      host: '127.0.0.1',
      port: 0,
      consoleTypes: ['novnc'],
      allowedOrigins: [],
      redeem: async () => record('novnc'),
    });
    const port = await other.start();
    const client = new WebSocket(`ws://127.0.0.1:${port}/?token=any`, ['binary']);
    clients.push(client);
    const closed = new Promise<number>((r) => client.on('close', (code) => r(code)));
    client.on('message', () => undefined);
    await opened(client);
    while (consoleSockets.length === 0) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const consoleGone = new Promise((r) => consoleSockets[0].once('close', r));
    await other.stop();
    expect(await closed).toBe(1006);
    await consoleGone;
  });
});
