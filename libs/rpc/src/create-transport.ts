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

/** How queues are declared on a broker (from `[oslo_messaging_rabbit]`). */
export interface TransportOptions {
  /** Durable RPC queues as quorum queues (`rabbit_quorum_queue`). */
  readonly quorumQueues?: boolean;
}

/** The transport options of a config's `[oslo_messaging_rabbit]` section. */
export function transportOptions(rabbit: {
  readonly rabbit_quorum_queue: boolean;
}): TransportOptions {
  return { quorumQueues: rabbit.rabbit_quorum_queue };
}

/** A transport for a URL; the scheme picks the backend. Not connected yet. */
export function createTransport(url: string, options: TransportOptions = {}): RpcTransport {
  const target = parseTransportUrl(url);
  switch (target.kind) {
    case 'amqp':
      return new AmqpTransport(target.hosts, target.vhost, options.quorumQueues ?? false);
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
export async function openTransport(
  url: string,
  timeoutMs: number,
  options: TransportOptions = {},
): Promise<RpcTransport> {
  const transport = createTransport(url, options);
  try {
    await transport.connect(timeoutMs);
  } catch (err) {
    await transport.close().catch(() => undefined);
    throw err;
  }
  return transport;
}
