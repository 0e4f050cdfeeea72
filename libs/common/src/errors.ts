/**
 * Domain errors. Services throw these; transports (HTTP faults, RPC, CLI) map them.
 * `code` is the HTTP status Nova would answer with for this kind of failure.
 */
export abstract class NovaError extends Error {
  abstract readonly code: number;

  constructor(
    message: string,
    readonly kwargs: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class Invalid extends NovaError {
  readonly code = 400;
}

export class Forbidden extends NovaError {
  readonly code = 403;
}

export class NotFound extends NovaError {
  readonly code = 404;
}

export class Conflict extends NovaError {
  readonly code = 409;
}

export class ServiceUnavailable extends NovaError {
  readonly code = 503;
}

export class CellMappingNotFound extends NotFound {
  constructor(uuid: string) {
    super(`Cell ${uuid} has no mapping.`, { uuid });
  }
}

export class InstanceMappingNotFound extends NotFound {
  constructor(uuid: string) {
    super(`Instance ${uuid} has no mapping to a cell.`, { uuid });
  }
}

export class HostMappingNotFound extends NotFound {
  constructor(host: string) {
    super(`Host '${host}' is not mapped to any cell`, { host });
  }
}

/** A URL in config or in a cell mapping that we cannot use. */
export class InvalidUrl extends Invalid {
  constructor(kind: string, url: string, reason: string) {
    super(`Invalid ${kind} URL ${url}: ${reason}`, { kind, url, reason });
  }
}

/** A cell's database or queue could not be reached. */
export class CellUnreachable extends ServiceUnavailable {
  constructor(
    readonly cellUuid: string,
    what: 'database' | 'message queue',
    cause: unknown,
  ) {
    super(`Cell ${cellUuid} ${what} is unreachable: ${describeError(cause)}`, { cellUuid, what });
  }
}

/** The message of anything thrown (duck-typed: errors from other realms fail instanceof). */
export function describeError(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { message, name } = err as { message?: unknown; name?: unknown };
    if (typeof message === 'string' && message !== '') {
      return message;
    }
    return typeof name === 'string' ? name : 'unknown error';
  }
  return String(err);
}
