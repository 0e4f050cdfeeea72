import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@nova/common';
import type { WireVif } from '@nova/compute-rpc';
import { NETWORK_API, type FloatingMapping, type NetworkApi } from '@nova/network';
import { SERVERS, type ServerRecord, type ServersPort } from '@nova/servers';

/**
 * Keeps the floating IPs Neutron maps to a server's ports in its recorded NICs,
 * so `addresses` shows them (type `floating`), as Nova refreshes its network
 * info cache: after addFloatingIp/removeFloatingIp, and on Neutron's
 * `network-changed` event (a floating IP changed through Neutron itself).
 */
@Injectable()
export class FloatingAddresses {
  constructor(
    @Inject(NETWORK_API) private readonly network: NetworkApi,
    @Inject(SERVERS) private readonly servers: ServersPort,
  ) {}

  async refresh(ctx: RequestContext, server: ServerRecord): Promise<void> {
    if (this.network.kind !== 'neutron') {
      return;
    }
    const recorded = await this.servers.networkInfo(ctx, server);
    const ports = [...new Set(recorded.flatMap((vif) => (vif.port_id ? [vif.port_id] : [])))];
    if (ports.length === 0) {
      return;
    }
    const mappings = await this.network.floatingIpsOfPorts(ctx, ports);
    const next = withFloatingIps(recorded, mappings);
    if (JSON.stringify(next) !== JSON.stringify(recorded)) {
      await this.servers.setNetworkInfo(ctx, server, next);
    }
  }
}

/** Each NIC with the floating IPs mapped to its port and fixed address (none: no field). */
export function withFloatingIps(
  vifs: readonly WireVif[],
  mappings: readonly FloatingMapping[],
): WireVif[] {
  return vifs.map((vif) => {
    const { floating_ips: _old, ...rest } = vif;
    const floating = mappings
      .filter((m) => m.portId === vif.port_id && m.fixedIp === vif.address)
      .map((m) => m.floatingIp);
    return floating.length > 0 ? { ...rest, floating_ips: floating } : rest;
  });
}
