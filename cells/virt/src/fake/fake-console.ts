import { createServer, type Server, type Socket } from 'node:net';

/**
 * A fake guest's console: a TCP server on 127.0.0.1 (a free port, opened on the
 * first request) that greets every connection with a login prompt and echoes
 * what it receives, as a terminal with local echo would. The same console
 * answers for every kind (vnc, spice, serial, mks): the fake guest has one screen.
 */
export class FakeConsole {
  private listening?: Promise<number>;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly guestName: string) {}

  /** The port it listens on (opened on the first call). */
  port(): Promise<number> {
    this.listening ??= new Promise<number>((resolve, reject) => {
      const server = createServer((socket) => this.greet(socket));
      this.server = server;
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    return this.listening;
  }

  /** Stops listening and drops every connection (the guest went away or powered off). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.listening = undefined;
    for (const socket of this.sockets) {
      socket.destroy();
    }
    if (server?.listening) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private greet(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.write(`\r\n${this.guestName} login: `);
    socket.on('data', (data) => socket.write(data));
  }
}
