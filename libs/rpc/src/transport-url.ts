import { InvalidUrl, maskUrl, urlScheme } from '@nova/common';

export interface BrokerHost {
  readonly hostname: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
}

export type TransportTarget =
  | { readonly kind: 'amqp'; readonly hosts: readonly BrokerHost[]; readonly vhost: string }
  | { readonly kind: 'inproc'; readonly name: string }
  | { readonly kind: 'none' };

/**
 * Parse an oslo.messaging transport URL:
 * `rabbit://user:pass@host:5672,user2:pass2@host2:5672/vhost` (several brokers,
 * tried in turn), `inproc://name` (the embedded in-process broker) or `none:///`
 * (cell0: no queue). Unknown schemes, bad ports and a missing scheme are errors.
 */
export function parseTransportUrl(url: string): TransportTarget {
  const scheme = urlScheme(url);
  if (!scheme || !url.includes('://')) {
    throw new InvalidUrl('transport', maskUrl(url), 'No scheme specified');
  }
  const rest = url.slice(url.indexOf('://') + 3);
  const slash = rest.indexOf('/');
  const netloc = (slash < 0 ? rest : rest.slice(0, slash)).replace(/\?.*$/, '');
  const path = slash < 0 ? '' : rest.slice(slash + 1).replace(/[?#].*$/, '');
  switch (scheme) {
    case 'none':
      return { kind: 'none' };
    case 'inproc':
      return { kind: 'inproc', name: netloc || path || 'default' };
    case 'rabbit':
    case 'amqp': {
      const hosts =
        netloc === '' ? [defaultHost()] : netloc.split(',').map((h) => parseHost(h, url));
      return { kind: 'amqp', hosts, vhost: path === '' ? '/' : decodeURIComponent(path) };
    }
    default:
      throw new InvalidUrl('transport', maskUrl(url), `unsupported scheme '${scheme}'`);
  }
}

function defaultHost(): BrokerHost {
  return { hostname: 'localhost', port: 5672, username: 'guest', password: 'guest' };
}

function parseHost(text: string, url: string): BrokerHost {
  const at = text.lastIndexOf('@');
  const creds = at < 0 ? '' : text.slice(0, at);
  const hostPort = at < 0 ? text : text.slice(at + 1);
  const [user, pass] = creds === '' ? ['guest', 'guest'] : splitOnce(creds, ':');
  const match = /^(\[[^\]]+\]|[^:]*)(?::(.*))?$/.exec(hostPort);
  const hostname = (match?.[1] ?? '').replace(/^\[(.*)\]$/, '$1') || 'localhost';
  const portText = match?.[2];
  if (portText !== undefined && !/^\d+$/.test(portText)) {
    throw new InvalidUrl(
      'transport',
      maskUrl(url),
      `invalid literal for int() with base 10: '${portText}'`,
    );
  }
  return {
    hostname,
    port: portText === undefined ? 5672 : Number(portText),
    username: decodeURIComponent(user),
    password: decodeURIComponent(pass),
  };
}

function splitOnce(text: string, sep: string): [string, string] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 1)];
}
