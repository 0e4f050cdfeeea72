import { Readable } from 'node:stream';
import { backOff } from 'exponential-backoff';
import { describeError, type RequestContext } from '@nova/common';
import { getLogger } from '@nova/logging';
import { GlanceConnectionFailed } from './image-errors';
import { glanceBaseUrl } from './glance-protocol';

const log = getLogger('images.glance');

export interface GlanceClientOptions {
  readonly apiServers: readonly string[];
  /** Retries after a connection error or 5xx (attempts = numRetries + 1). */
  readonly numRetries: number;
  /** Milliseconds per attempt. */
  readonly timeoutMs?: number;
  /** Milliseconds a request with a body (an image upload) may take. */
  readonly uploadTimeoutMs?: number;
  /** First back-off delay in milliseconds (doubles each retry, with full jitter). */
  readonly retryDelayMs?: number;
}

/** What a request sends besides its method and path. */
export interface GlanceRequestBody {
  readonly contentType: string;
  /** The body, made anew for each attempt (a stream can be read once). */
  readonly body: () => string | Readable;
}

/** A failure worth another attempt, possibly on the next server. */
class Retryable extends Error {
  constructor(
    readonly server: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * HTTP to Glance with the caller's token: the servers of `[glance] api_servers`
 * take turns (each request starts at the next one, each retry moves on), and
 * connection errors and 5xx answers are retried with exponential back-off.
 */
export class GlanceClient {
  readonly servers: readonly string[];
  private turn = 0;

  constructor(private readonly options: GlanceClientOptions) {
    if (options.apiServers.length === 0) {
      throw new Error('GlanceClient needs at least one api server');
    }
    this.servers = options.apiServers.map(glanceBaseUrl);
  }

  /** The answer of the first attempt that is not retryable (any 2xx-4xx response). */
  async request(
    ctx: RequestContext,
    method: string,
    path: string,
    send?: GlanceRequestBody,
  ): Promise<Response> {
    const attempts = this.options.numRetries + 1;
    let attempt = this.turn++;
    const once = async (): Promise<Response> => {
      const server = this.servers[attempt++ % this.servers.length];
      let response: Response;
      try {
        response = await fetch(`${server}${path}`, {
          method,
          headers: {
            ...this.headers(ctx),
            ...(send ? { 'Content-Type': send.contentType } : {}),
          },
          signal: AbortSignal.timeout(
            send ? (this.options.uploadTimeoutMs ?? 3_600_000) : (this.options.timeoutMs ?? 30_000),
          ),
          ...(send ? requestBody(send.body()) : {}),
        });
      } catch (err) {
        throw new Retryable(server, connectionError(err));
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        throw new Retryable(server, `HTTP ${response.status}`);
      }
      return response;
    };
    try {
      return await backOff(once, {
        numOfAttempts: attempts,
        startingDelay: this.options.retryDelayMs ?? 200,
        maxDelay: 5_000,
        jitter: 'full',
        // Called after every failure, the last one too (`done` attempts so far).
        retry: (err: unknown, done: number) => {
          if (!(err instanceof Retryable) || done >= attempts) {
            return false;
          }
          log.warn(
            { requestId: ctx.requestId, server: err.server, reason: err.reason, attempt: done + 1 },
            `Glance ${method} ${path.split('?')[0]} failed (${err.reason}); retrying`,
          );
          return true;
        },
      });
    } catch (err) {
      if (err instanceof Retryable) {
        throw new GlanceConnectionFailed(err.server, err.reason);
      }
      throw err;
    }
  }

  private headers(ctx: RequestContext): Record<string, string> {
    return {
      Accept: 'application/json',
      'X-OpenStack-Request-ID': ctx.globalRequestId ?? ctx.requestId,
      ...(ctx.authToken ? { 'X-Auth-Token': ctx.authToken } : {}),
    };
  }
}

/** fetch's body: a stream goes as a web stream, sent as it is read (`duplex: 'half'`). */
function requestBody(body: string | Readable): RequestInit {
  if (typeof body === 'string') {
    return { body };
  }
  // `duplex` is required by Node's fetch for a stream body, unknown to the DOM typings.
  const init = { body: Readable.toWeb(body), duplex: 'half' };
  return init as RequestInit;
}

/** fetch's "fetch failed" hides the reason (ECONNREFUSED, timeout) in `cause`. */
function connectionError(err: unknown): string {
  const cause = (err as { cause?: unknown } | null)?.cause;
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `${describeError(err)} (${code})` : describeError(err);
}
