import { AmqpTransport } from './amqp-transport';
import { InProcessTransport } from './inproc-transport';
import { NullTransport } from './null-transport';
import type { RpcTransport } from './transport';
import { parseTransportUrl } from './transport-url';

/**
 * The API level's queue (`[DEFAULT] transport_url`): where the super conductor
 * and the scheduler listen; the in-process broker `nova` when unset.
 */
export function apiTransportUrl(defaults: { readonly transport_url?: string }): string {
  return defaults.transport_url ?? 'inproc://nova';
}

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

/**
 * A connected transport for a URL (a service's queue): created, connected within
 * `timeoutMs`, and closed again if the connection fails.
 */
export async function openTransport(url: string, timeoutMs: number): Promise<RpcTransport> {
  const transport = createTransport(url);
  try {
    await transport.connect(timeoutMs);
  } catch (err) {
    await transport.close().catch(() => undefined);
    throw err;
  }
  return transport;
}
