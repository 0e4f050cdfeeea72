/**
 * What Neutron's auto-allocated topology (`networks: auto`, 2.37) needs and
 * DevStack gives Nova's own runs: a default external network with a subnet and
 * a default IPv4 subnet pool. Made for the Tempest run only and removed after
 * it (with any topology left on them), because the integration tests expect a
 * Neutron that cannot auto-allocate.
 */
import { neutronCall } from './openstack';

const PREFIX = 'conformance-auto';

interface Named {
  id: string;
  name: string;
}

export class AutoAllocationDefaults {
  private constructor(
    private readonly token: string,
    private readonly networkId: string,
    private readonly poolId: string,
  ) {}

  /** The defaults, after removing any a run that did not finish left behind. */
  static async create(token: string): Promise<AutoAllocationDefaults> {
    await AutoAllocationDefaults.removeLeftovers(token);
    const network = (
      await neutronCall<{ network: Named }>(token, 'POST', '/networks', {
        network: { name: `${PREFIX}-public`, 'router:external': true, is_default: true },
      })
    ).network;
    await neutronCall(token, 'POST', '/subnets', {
      subnet: {
        name: `${PREFIX}-public`,
        network_id: network.id,
        cidr: '198.51.100.0/24',
        ip_version: 4,
      },
    });
    const pool = (
      await neutronCall<{ subnetpool: Named }>(token, 'POST', '/subnetpools', {
        subnetpool: {
          name: `${PREFIX}-v4`,
          prefixes: ['10.128.0.0/16'],
          default_prefixlen: 26,
          is_default: true,
          shared: true,
        },
      })
    ).subnetpool;
    return new AutoAllocationDefaults(token, network.id, pool.id);
  }

  async remove(): Promise<void> {
    await removeTopologies(this.token, this.networkId, this.poolId);
    await neutronCall(this.token, 'DELETE', `/networks/${this.networkId}`);
    await neutronCall(this.token, 'DELETE', `/subnetpools/${this.poolId}`);
  }

  private static async removeLeftovers(token: string): Promise<void> {
    const nets = await neutronCall<{ networks: Named[] }>(
      token,
      'GET',
      `/networks?name=${PREFIX}-public`,
    );
    const pools = await neutronCall<{ subnetpools: Named[] }>(
      token,
      'GET',
      `/subnetpools?name=${PREFIX}-v4`,
    );
    for (const net of nets.networks) {
      await removeTopologies(token, net.id, pools.subnetpools[0]?.id);
      await neutronCall(token, 'DELETE', `/networks/${net.id}`);
    }
    for (const pool of pools.subnetpools) {
      await neutronCall(token, 'DELETE', `/subnetpools/${pool.id}`);
    }
  }
}

/** Routers with a gateway on the external network, and networks with subnets from the pool. */
async function removeTopologies(token: string, networkId: string, poolId?: string): Promise<void> {
  const routers = await neutronCall<{
    routers: Array<{ id: string; external_gateway_info: { network_id: string } | null }>;
  }>(token, 'GET', '/routers');
  for (const router of routers.routers) {
    if (router.external_gateway_info?.network_id !== networkId) {
      continue;
    }
    const ports = await neutronCall<{ ports: Array<{ fixed_ips: Array<{ subnet_id: string }> }> }>(
      token,
      'GET',
      `/ports?device_id=${router.id}&device_owner=network:router_interface`,
    );
    for (const port of ports.ports) {
      for (const ip of port.fixed_ips) {
        await neutronCall(token, 'PUT', `/routers/${router.id}/remove_router_interface`, {
          subnet_id: ip.subnet_id,
        });
      }
    }
    await neutronCall(token, 'DELETE', `/routers/${router.id}`);
  }
  if (!poolId) {
    return;
  }
  const subnets = await neutronCall<{ subnets: Array<{ network_id: string }> }>(
    token,
    'GET',
    `/subnets?subnetpool_id=${poolId}`,
  );
  for (const networkOf of new Set(subnets.subnets.map((s) => s.network_id))) {
    const ports = await neutronCall<{ ports: Array<{ id: string }> }>(
      token,
      'GET',
      `/ports?network_id=${networkOf}`,
    );
    for (const port of ports.ports) {
      await neutronCall(token, 'DELETE', `/ports/${port.id}`);
    }
    await neutronCall(token, 'DELETE', `/networks/${networkOf}`);
  }
}
