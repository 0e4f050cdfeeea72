import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';

/** Neutron's network (the fields we read). */
export interface NeutronNetwork {
  readonly id: string;
  readonly name: string;
  readonly tenant_id?: string;
  readonly project_id?: string;
  readonly mtu?: number | null;
  readonly subnets?: readonly string[];
  readonly shared?: boolean;
  readonly created_at?: string | null;
  readonly updated_at?: string | null;
  readonly 'router:external'?: boolean;
  readonly 'provider:network_type'?: string | null;
  readonly 'provider:segmentation_id'?: number | null;
}

export interface NeutronSubnet {
  readonly id: string;
  readonly network_id: string;
  readonly cidr: string;
  readonly ip_version: number;
  readonly gateway_ip: string | null;
  readonly dns_nameservers?: readonly string[];
  readonly enable_dhcp?: boolean;
  readonly allocation_pools?: ReadonlyArray<{ start: string; end: string }>;
}

/**
 * A network in nova-network's terms, which os-networks and os-tenant-networks
 * still show: the first IPv4 and IPv6 subnets give the addressing.
 */
export interface Network {
  readonly id: string;
  readonly label: string;
  readonly project_id: string | null;
  readonly cidr: string | null;
  readonly netmask: string | null;
  readonly gateway: string | null;
  readonly broadcast: string | null;
  readonly dns1: string | null;
  readonly dns2: string | null;
  readonly cidr_v6: string | null;
  readonly gateway_v6: string | null;
  readonly netmask_v6: string | null;
  readonly dhcp_start: string | null;
  readonly enable_dhcp: boolean | null;
  readonly vlan: number | null;
  readonly mtu: number | null;
  readonly created_at: string | null;
  readonly updated_at: string | null;
}

/** The network of Neutron's network and its subnets (any order; other networks' ignored). */
export function networkFromNeutron(
  net: NeutronNetwork,
  subnets: readonly NeutronSubnet[],
): Network {
  const own = subnets.filter((s) => s.network_id === net.id);
  const order = net.subnets ?? [];
  own.sort((a, b) => rank(order, a.id) - rank(order, b.id));
  const v4 = own.find((s) => s.ip_version === 4);
  const v6 = own.find((s) => s.ip_version === 6);
  const v4net = v4 ? ipv4Facts(v4.cidr) : null;
  return {
    id: net.id,
    label: net.name,
    project_id: net.tenant_id ?? net.project_id ?? null,
    cidr: v4?.cidr ?? null,
    netmask: v4net?.netmask ?? null,
    gateway: v4?.gateway_ip ?? null,
    broadcast: v4net?.broadcast ?? null,
    dns1: v4?.dns_nameservers?.[0] ?? null,
    dns2: v4?.dns_nameservers?.[1] ?? null,
    cidr_v6: v6?.cidr ?? null,
    gateway_v6: v6?.gateway_ip ?? null,
    netmask_v6: v6 ? (v6.cidr.split('/')[1] ?? null) : null,
    dhcp_start: v4?.allocation_pools?.[0]?.start ?? null,
    enable_dhcp: (v4 ?? v6)?.enable_dhcp ?? null,
    vlan:
      net['provider:network_type'] === 'vlan' ? (net['provider:segmentation_id'] ?? null) : null,
    mtu: net.mtu ?? null,
    created_at: net.created_at ?? null,
    updated_at: net.updated_at ?? null,
  };
}

function rank(order: readonly string[], id: string): number {
  const i = order.indexOf(id);
  return i < 0 ? order.length : i;
}

function ipv4Facts(cidr: string): { netmask: string; broadcast: string } | null {
  try {
    const [address, prefix] = ipaddr.parseCIDR(cidr);
    if (address.kind() !== 'ipv4') {
      return null;
    }
    return {
      netmask: ipaddr.IPv4.subnetMaskFromPrefixLength(prefix).toString(),
      broadcast: ipaddr.IPv4.broadcastAddressFromCIDR(cidr).toString(),
    };
  } catch {
    return null;
  }
}

const USER_FIELDS = [
  'id',
  'cidr',
  'netmask',
  'gateway',
  'broadcast',
  'dns1',
  'dns2',
  'cidr_v6',
  'gateway_v6',
  'label',
  'netmask_v6',
] as const;

/**
 * os-networks' view: the fields every user sees, and for admins nova-network's
 * system fields too (those Neutron has no notion of are null or false).
 */
export function osNetworkView(net: Network, admin: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const field of USER_FIELDS) {
    view[field] = net[field];
  }
  if (!admin) {
    return view;
  }
  return {
    ...view,
    created_at: net.created_at,
    updated_at: net.updated_at,
    deleted_at: null,
    deleted: false,
    injected: false,
    bridge: null,
    vlan: net.vlan,
    vpn_public_address: null,
    vpn_public_port: null,
    vpn_private_address: null,
    dhcp_start: net.dhcp_start,
    project_id: net.project_id,
    host: null,
    bridge_interface: null,
    multi_host: false,
    priority: null,
    rxtx_base: null,
    mtu: net.mtu,
    dhcp_server: net.gateway,
    enable_dhcp: net.enable_dhcp,
    share_address: false,
  };
}

/** os-tenant-networks' view; a network without IPv4 subnet has Nova's cidr "None". */
export function tenantNetworkView(net: Network): { id: string; cidr: string; label: string } {
  return { id: net.id, cidr: net.cidr ?? net.cidr_v6 ?? 'None', label: net.label };
}

/** A name-based UUID (RFC 4122 version 5), for the flat network's stable ids. */
export function nameUuid(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** RFC 4122's URL namespace. */
const NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** The flat built-in network as a network: gateway .1, addresses from .2. */
export function flatNetwork(name: string, cidr: string): Network {
  const facts = ipv4Facts(cidr);
  let gateway: string | null = null;
  let dhcpStart: string | null = null;
  try {
    const base = ipaddr.IPv4.networkAddressFromCIDR(cidr).toByteArray();
    const at = (n: number) => {
      const value = ((base[0] << 24) | (base[1] << 16) | (base[2] << 8) | base[3]) + n;
      return [24, 16, 8, 0].map((s) => (value >>> s) & 255).join('.');
    };
    gateway = at(1);
    dhcpStart = at(2);
  } catch {
    // an invalid [flat_network] cidr is reported where addresses are allocated
  }
  return {
    id: nameUuid(NAMESPACE, `nova:flat-network:${name}`),
    label: name,
    project_id: null,
    cidr,
    netmask: facts?.netmask ?? null,
    gateway,
    broadcast: facts?.broadcast ?? null,
    dns1: null,
    dns2: null,
    cidr_v6: null,
    gateway_v6: null,
    netmask_v6: null,
    dhcp_start: dhcpStart,
    enable_dhcp: false,
    vlan: null,
    mtu: null,
    created_at: null,
    updated_at: null,
  };
}

/** The id of a project's security group on the flat network (`default`, or a name a server keeps). */
export function flatGroupId(projectId: string, name = 'default'): string {
  return nameUuid(NAMESPACE, `nova:flat-security-group:${projectId}:${name}`);
}

/** A VIF as the info cache records it (the subnet only since config drives). */
export interface RecordedVif {
  readonly network: string;
  readonly address: string;
  readonly mac: string;
  readonly id?: string;
  readonly network_id?: string;
  readonly cidr?: string;
  readonly gateway?: string | null;
}

/** A VIF of the flat network recorded without its subnet gets the flat network's. */
export function withFlatSubnet<V extends RecordedVif>(vif: V, name: string, cidr: string): V {
  if (vif.cidr || vif.network !== name) {
    return vif;
  }
  const network = flatNetwork(name, cidr);
  return { ...vif, network_id: network.id, cidr, gateway: network.gateway };
}
