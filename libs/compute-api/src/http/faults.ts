import { HttpException } from '@nestjs/common';
import { describeError, NovaError } from '@nova/common';

/** Nova's fault names by HTTP status (nova/api/openstack/wsgi.py). */
export const FAULT_NAMES: Readonly<Record<number, string>> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

export interface Fault {
  readonly status: number;
  readonly body: Record<string, { code: number; message: string }>;
  readonly headers?: Record<string, string>;
}

export function fault(status: number, message: string, headers?: Record<string, string>): Fault {
  const name = FAULT_NAMES[status] ?? 'computeFault';
  return { status, body: { [name]: { code: status, message } }, ...(headers ? { headers } : {}) };
}

/** Domain errors and framework errors alike become Nova fault bodies; anything else is a 500. */
export function faultFor(error: unknown, requestId: string): { fault: Fault; unexpected: boolean } {
  if (error instanceof NovaError) {
    return { fault: fault(error.code, error.message), unexpected: false };
  }
  // Nest wraps Fastify's own errors (bad JSON, media type) in a plain HttpException.
  const cause = error instanceof HttpException && error.cause ? error.cause : error;
  const code = (cause as { code?: unknown } | null)?.code ?? fastifyCode(error);
  if (typeof code === 'string' && code.startsWith('FST_')) {
    const status =
      error instanceof HttpException
        ? error.getStatus()
        : ((error as { statusCode?: number }).statusCode ?? 400);
    return { fault: fault(status, frameworkMessage({ code }, status)), unexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { fault: fault(status, httpMessage(error)), unexpected: status >= 500 };
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { fault: fault(statusCode, frameworkMessage(error, statusCode)), unexpected: false };
  }
  return {
    fault: fault(
      500,
      `Unexpected API Error. Please report this with the nova-api log of request ${requestId}.`,
    ),
    unexpected: true,
  };
}

function httpMessage(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') {
    return response;
  }
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message)
    ? message.join('; ')
    : typeof message === 'string'
      ? message
      : error.message;
}

/** Fastify's error code from its message, when only the message survived wrapping. */
function fastifyCode(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message !== 'string') {
    return undefined;
  }
  if (message.startsWith('Body is not valid JSON')) {
    return 'FST_ERR_CTP_INVALID_JSON_BODY';
  }
  if (message.startsWith('Body cannot be empty')) {
    return 'FST_ERR_CTP_EMPTY_JSON_BODY';
  }
  if (message.startsWith('Unsupported Media Type')) {
    return 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
  }
  return undefined;
}

/** Fastify's own 4xx errors (bad JSON, wrong content type, body too large). */
function frameworkMessage(error: unknown, status: number): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
    return 'Unsupported Content-Type';
  }
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return 'The request body must not be empty.';
  }
  if (typeof code === 'string' && code.startsWith('FST_ERR_CTP')) {
    return 'Malformed request body';
  }
  return describeError(error);
}
