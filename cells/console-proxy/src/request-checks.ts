import type { IncomingHttpHeaders } from 'node:http';

/**
 * The token of a console connection, where Nova's proxies look for it: the
 * `token` query parameter, a `path` parameter carrying `?token=` (noVNC's
 * form), or a `token` cookie.
 */
export function tokenOf(url: string, cookie: string | undefined): string | null {
  const params = new URL(url, 'http://proxy').searchParams;
  const direct = params.get('token');
  if (direct) {
    return direct;
  }
  const path = params.get('path');
  if (path) {
    const inner = new URL(path, 'http://proxy').searchParams.get('token');
    if (inner) {
      return inner;
    }
  }
  for (const part of (cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'token' && value.length > 0) {
      return decodeURIComponent(value.join('='));
    }
  }
  return null;
}

/** The host name of a Host header (`h`, `h:port`, `[v6]:port`). */
function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) {
    return hostHeader.slice(1, hostHeader.indexOf(']'));
  }
  return hostHeader.split(':')[0];
}

/**
 * Nova's Origin check, for browsers (a request without Origin is no browser's
 * and passes): the Origin's host must be the one the proxy was reached at or
 * one of `[console] allowed_origins`, and its scheme (or X-Forwarded-Proto)
 * must match the console URL handed out (http/ws alike, https/wss alike).
 * Returns why it fails, or null.
 */
export function originProblem(
  headers: IncomingHttpHeaders,
  accessUrlBase: string | null,
  allowedOrigins: readonly string[],
): string | null {
  const origin = headers.origin;
  if (origin === undefined) {
    return null;
  }
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'Origin header not valid.';
  }
  const forwarded = headers['x-forwarded-proto'];
  const scheme = (
    (Array.isArray(forwarded) ? forwarded[0] : forwarded) ?? url.protocol.replace(/:$/, '')
  ).toLowerCase();
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (hostname === '' || scheme === '') {
    return 'Origin header not valid.';
  }
  const expectedHosts = [...allowedOrigins, hostnameOf(headers.host ?? '')];
  if (!expectedHosts.includes(hostname)) {
    return 'Origin header does not match this host.';
  }
  if (accessUrlBase) {
    const expected = new URL(accessUrlBase).protocol.replace(/:$/, '');
    const secure = expected === 'https' || expected === 'wss';
    const allowed = secure ? ['https', 'wss'] : ['http', 'ws'];
    if (!allowed.includes(scheme)) {
      return 'Origin header protocol does not match this host.';
    }
  }
  return null;
}
