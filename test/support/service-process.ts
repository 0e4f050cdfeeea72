import { spawn, type ChildProcess } from 'node:child_process';
import { binPath } from './spawn';

export interface LogLine {
  level: string;
  msg: string;
  component?: string;
  [key: string]: unknown;
}

/** A nova-* binary running in the background, with its JSON log lines collected. */
export class ServiceProcess {
  readonly lines: LogLine[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [binPath(name), ...args], {
      env: { ...process.env, NOVA_LOG_LEVEL: process.env['NOVA_TRACE_LEVEL'] ?? 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const part of parts) {
        try {
          this.lines.push(JSON.parse(part) as LogLine);
        } catch {
          this.lines.push({ level: 'raw', msg: part });
        }
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) =>
      this.lines.push({ level: 'stderr', msg: chunk.toString() }),
    );
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Wait for a log line matching `match`; returns when it was seen (ms since the call). */
  async waitFor(match: (line: LogLine) => boolean, timeoutMs = 20_000): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if (this.lines.some(match)) {
        return Date.now() - started;
      }
      if (this.child.exitCode !== null) {
        throw new Error(
          `process exited ${this.child.exitCode}: ${JSON.stringify(this.lines.slice(-5))}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(
      `no matching log line within ${timeoutMs} ms; last: ${JSON.stringify(this.lines.slice(-5))}`,
    );
  }

  /** The exit code once the process has ended by itself (or been stopped). */
  get exit(): Promise<number | null> {
    return this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Send a signal (SIGHUP: reload) without waiting for anything. */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGKILL: the process dies mid-work, as in a host crash. */
  async kill(): Promise<number | null> {
    if (this.child.exitCode === null) {
      this.child.kill('SIGKILL');
    }
    return this.exited;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) {
      this.child.kill('SIGTERM');
    }
    return this.exited;
  }
}
