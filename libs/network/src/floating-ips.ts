/** Neutron's floating IP (the fields we read). */
export interface NeutronFloatingIp {
  readonly id: string;
  readonly floating_ip_address: string;
  readonly floating_network_id: string;
  readonly fixed_ip_address: string | null;
  readonly port_id: string | null;
  readonly tenant_id?: string;
  readonly project_id?: string;
  /** With Neutron's fip-port-details extension. */
  readonly port_details?: { device_id?: string | null } | null;
}

export interface FloatingIpView {
  id: string;
  ip: string;
  pool: string;
  fixed_ip: string | null;
  instance_id: string | null;
}

/** What a view needs besides the floating IP: its network's name, its port's device. */
export interface FloatingIpFacts {
  readonly networkNames: ReadonlyMap<string, string>;
  readonly portDevices: ReadonlyMap<string, string>;
}

/** Nova's view: the pool is the network's name (its id when nameless), the instance the port's device. */
export function floatingIpView(fip: NeutronFloatingIp, facts: FloatingIpFacts): FloatingIpView {
  const name = facts.networkNames.get(fip.floating_network_id);
  const device =
    fip.port_details?.device_id ?? (fip.port_id ? facts.portDevices.get(fip.port_id) : undefined);
  return {
    id: fip.id,
    ip: fip.floating_ip_address,
    pool: name || fip.floating_network_id,
    fixed_ip: fip.fixed_ip_address ?? null,
    instance_id: fip.port_id && device ? device : null,
  };
}

/** os-floating-ip-pools' entry for an external network. */
export function poolView(net: { id: string; name: string }): { name: string } {
  return { name: net.name || net.id };
}
