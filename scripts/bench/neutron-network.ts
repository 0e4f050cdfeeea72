/**
 * The real Neutron (and Keystone) of scripts/openstack-services for
 * bench:servers' create -> ACTIVE on Neutron ports: nova's `[neutron]`
 * settings (the service user, as the tests use), and a network with a subnet
 * for the bench's project, removed afterwards with any port left on it.
 */
import {
  adminToken,
  credentials,
  KEYSTONE,
  NEUTRON,
  neutronCall as neutron,
} from '../conformance/openstack';
import type { Sections } from '../lib/stack';

export class BenchNetwork {
  private constructor(
    private readonly token: string,
    readonly id: string,
  ) {}

  /** Undefined (with the reason) when Neutron does not answer on loopback. */
  static async create(project: string, name: string): Promise<BenchNetwork | string> {
    try {
      await fetch(`${NEUTRON}/`, { signal: AbortSignal.timeout(2000) });
    } catch {
      return `Neutron does not answer on ${NEUTRON} (scripts/openstack-services start)`;
    }
    const token = await adminToken(credentials().adminPassword);
    const net = await neutron<{ network: { id: string } }>(token, 'POST', '/networks', {
      network: { name, tenant_id: project },
    });
    const network = new BenchNetwork(token, net.network.id);
    await neutron(token, 'POST', '/subnets', {
      subnet: {
        network_id: net.network.id,
        tenant_id: project,
        cidr: '10.250.0.0/16',
        ip_version: 4,
      },
    });
    return network;
  }

  /** nova's `[neutron]` section: the service user neutron, as the integration tests configure it. */
  static sections(): Sections {
    return {
      neutron: {
        auth_url: KEYSTONE,
        auth_type: 'password',
        username: 'neutron',
        password: credentials().servicePassword,
        project_name: 'service',
        user_domain_name: 'Default',
        project_domain_name: 'Default',
        region_name: 'RegionOne',
        valid_interfaces: 'internal,public',
      },
      // No agent ever sends network-vif-plugged here.
      DEFAULT: { vif_plugging_timeout: '0' },
    };
  }

  /** The network and any port still on it. */
  async remove(): Promise<void> {
    const ports = await neutron<{ ports: Array<{ id: string }> }>(
      this.token,
      'GET',
      `/ports?network_id=${this.id}`,
    );
    for (const port of ports.ports) {
      await neutron(this.token, 'DELETE', `/ports/${port.id}`);
    }
    await neutron(this.token, 'DELETE', `/networks/${this.id}`);
  }
}
