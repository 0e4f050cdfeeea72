import { ServiceUnavailable } from '@nova/common';

/**
 * A 4xx answer of Neutron, with its NeutronError type and message. Callers map
 * it to Nova's fault for the API at hand (as Nova's neutron API code does);
 * one that no caller maps is a bad request at worst, see `asNovaError`.
 */
export class NeutronHttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly detail: string,
  ) {
    super(detail || `Neutron answered HTTP ${status}`);
    this.name = 'NeutronHttpError';
  }
}

/** Neutron could not be reached, or answered a 5xx or nonsense. */
export class NeutronUnavailable extends ServiceUnavailable {
  constructor(reason: string) {
    super(`The network service is unavailable: ${reason}`, { reason });
  }
}

/** The message of a Neutron error body (`{"NeutronError": {"message": ...}}`, or text). */
export function neutronErrorOf(status: number, text: string): NeutronHttpError {
  try {
    const body = JSON.parse(text) as {
      NeutronError?: { type?: unknown; message?: unknown } | string;
      message?: unknown;
      error?: { message?: unknown };
    };
    const e = body.NeutronError;
    if (typeof e === 'string') {
      return new NeutronHttpError(status, '', e);
    }
    if (e && typeof e.message === 'string') {
      return new NeutronHttpError(status, typeof e.type === 'string' ? e.type : '', e.message);
    }
    const message = body.error?.message ?? body.message;
    if (typeof message === 'string') {
      return new NeutronHttpError(status, '', message);
    }
  } catch {
    // not JSON: webob's text pages
  }
  return new NeutronHttpError(status, '', firstLine(text));
}

function firstLine(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return plain.slice(0, 2).join(' ').slice(0, 300);
}
