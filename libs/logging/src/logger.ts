import pino, { type Logger } from 'pino';
import { currentLogContext } from './log-context';

export interface LoggingOptions {
  /** 'debug' | 'info' | 'warn' | 'error' | 'silent' */
  level: string;
  /** File descriptor to write to: 1 = stdout (services), 2 = stderr (CLI). */
  fd?: 1 | 2;
}

function build(options: LoggingOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // One line per event carrying the ids of the request being served, if any.
      mixin: () => ({ ...currentLogContext() }),
    },
    pino.destination({ fd: options.fd ?? 1, sync: false }),
  );
}

let root: Logger = build({ level: process.env['NOVA_LOG_LEVEL'] ?? 'info' });
let generation = 0;

/** Called once by each binary after config is loaded. NOVA_LOG_LEVEL wins (tests use it). */
export function configureLogging(options: LoggingOptions): void {
  root = build({ ...options, level: process.env['NOVA_LOG_LEVEL'] ?? options.level });
  generation++;
}

type LogFn = (obj: object | string, msg?: string) => void;

/**
 * A component's logger. It may be created at import time, before configureLogging
 * runs, so it re-derives its pino child when the root changes.
 */
export class ComponentLogger {
  private child: Logger;
  private seen = generation;

  constructor(private readonly component: string) {
    this.child = root.child({ component });
  }

  readonly debug: LogFn = (obj, msg) => this.current().debug(obj, msg);
  readonly info: LogFn = (obj, msg) => this.current().info(obj, msg);
  readonly warn: LogFn = (obj, msg) => this.current().warn(obj, msg);
  readonly error: LogFn = (obj, msg) => this.current().error(obj, msg);

  private current(): Logger {
    if (this.seen !== generation) {
      this.child = root.child({ component: this.component });
      this.seen = generation;
    }
    return this.child;
  }
}

export function getLogger(component: string): ComponentLogger {
  return new ComponentLogger(component);
}
