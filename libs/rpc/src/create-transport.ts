import { AmqpTransport } from './amqp-transport';
import { InProcessTransport } from './inproc-transport';
import { NullTransport } from './null-transport';
import type { RpcTransport } from './transport';
import { parseTransportUrl } from './transport-url';

/** A transport for a URL; the scheme picks the backend. Not connected yet. */
export function createTransport(url: string): RpcTransport {
  const target = parseTransportUrl(url);
  switch (target.kind) {
    case 'amqp':
      return new AmqpTransport(target.hosts, target.vhost);
    case 'inproc':
      return new InProcessTransport(target.name);
    case 'none':
      return new NullTransport();
  }
}
