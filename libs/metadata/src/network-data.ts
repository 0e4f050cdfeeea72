import ipaddr from 'ipaddr.js';
import type { GuestVif } from './guest';

/** network_data.json (Nova's format): links (NICs), networks (addresses on them), services (DNS). */
export interface NetworkData {
  readonly links: ReadonlyArray<Record<string, unknown>>;
  readonly networks: ReadonlyArray<Record<string, unknown>>;
  readonly services: ReadonlyArray<{ readonly type: string; readonly address: string }>;
}

/** The NIC's name on the host (Nova's devname): `tap` and the start of the port id, or the MAC. */
function linkName(vif: GuestVif): string {
  return vif.id ? `tap${vif.id.slice(0, 11)}` : `tap${vif.mac.replace(/:/g, '')}`.slice(0, 15);
}

/** Netmask and prefix length of a CIDR, or null when it does not parse. */
function subnetOf(cidr: string): { netmask: string; v6: boolean } | null {
  try {
    const [range, bits] = ipaddr.parseCIDR(cidr);
    const v6 = range.kind() === 'ipv6';
    const mask = v6
      ? ipaddr.IPv6.subnetMaskFromPrefixLength(bits).toNormalizedString()
      : ipaddr.IPv4.subnetMaskFromPrefixLength(bits).toString();
    return { netmask: mask, v6 };
  } catch {
    return null;
  }
}

/**
 * What cloud-init configures the NICs from. A VIF whose subnet is known gets a
 * static address with its default route (the flat network has no DHCP server);
 * one without is left to DHCP, as Nova marks a DHCP-enabled subnet.
 */
export function networkData(vifs: readonly GuestVif[]): NetworkData {
  // A Neutron port with several fixed IPs is one NIC with several networks on it.
  const nics = vifs.filter((vif, i) => vifs.findIndex((o) => linkName(o) === linkName(vif)) === i);
  const links = nics.map((vif) => ({
    id: linkName(vif),
    vif_id: vif.id ?? null,
    type: 'bridge',
    mtu: null,
    ethernet_mac_address: vif.mac,
  }));
  const networks = vifs.map((vif, i) => {
    const subnet = vif.cidr ? subnetOf(vif.cidr) : null;
    const common = { id: `network${i}`, link: linkName(vif), network_id: vif.network_id ?? null };
    if (!subnet) {
      return { ...common, type: vif.address.includes(':') ? 'ipv6_dhcp' : 'ipv4_dhcp' };
    }
    const any = subnet.v6 ? '::' : '0.0.0.0';
    return {
      id: common.id,
      type: subnet.v6 ? 'ipv6' : 'ipv4',
      link: common.link,
      ip_address: vif.address,
      netmask: subnet.netmask,
      routes: vif.gateway ? [{ network: any, netmask: any, gateway: vif.gateway }] : [],
      network_id: common.network_id,
      services: [],
    };
  });
  return { links, networks, services: [] };
}
