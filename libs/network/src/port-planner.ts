import type { RequestContext } from '@nova/common';
import { queryString, type NeutronClient } from './neutron-client';
import { NeutronHttpError } from './neutron-errors';
import type { NeutronNetwork } from './networks';
import {
  FixedIpAlreadyInUse,
  NetworkAmbiguous,
  NetworkNotFoundForCreate,
  NetworkRequiresSubnet,
  PortInUse,
  PortNotFoundForCreate,
  UnableToAutoAllocateNetwork,
} from './port-errors';
import type { NeutronPort, PortRequest } from './ports';

/** What a create asks: Nova's `auto`, `none`, nothing (before 2.37), or a list of NICs. */
export type RequestedNics = 'auto' | 'none' | 'default' | readonly PortRequest[];

export interface NicPlan {
  /** The NICs each instance gets ('none': no network at all). */
  readonly nics: 'none' | readonly PortRequest[];
  /** How many instances the port quota leaves room for (at most the count asked). */
  readonly allowed: number;
}

type Nets = { networks: NeutronNetwork[] };

/**
 * Nova's validate_networks for a server create with Neutron, at the API (as
 * Nova's API does): the networks exist and can be used, ports exist and are
 * free, fixed IPs are not taken, `auto` and nothing-asked pick the
 * project's one network, and the port quota leaves room. Service user,
 * scoped to the project here.
 */
export class NeutronPortPlanner {
  constructor(private readonly neutron: NeutronClient) {}

  async plan(
    ctx: RequestContext,
    projectId: string,
    requested: RequestedNics,
    count: number,
  ): Promise<NicPlan> {
    if (requested === 'none') {
      return { nics: 'none', allowed: count };
    }
    if (requested === 'auto' || requested === 'default') {
      const available = await this.availableNetworks(ctx, projectId);
      if (available.length > 1) {
        throw new NetworkAmbiguous();
      }
      if (available.length === 0) {
        if (requested === 'default') {
          return { nics: 'none', allowed: count }; // Nova boots with no network then
        }
        const allocated = await this.autoAllocate(ctx, projectId);
        return this.withQuota(ctx, projectId, [{ uuid: allocated }], count);
      }
      await this.checkSubnets(ctx, available);
      return this.withQuota(ctx, projectId, [{ uuid: available[0].id }], count);
    }
    const nics = requested;
    const wanted = [...new Set(nics.filter((n) => !n.port && n.uuid).map((n) => n.uuid!))];
    if (wanted.length > 0) {
      const nets = await this.neutron.get<Nets>(
        ctx,
        `/networks${queryString({ id: wanted })}`,
        'service',
      );
      const usable = nets.networks.filter(
        (n) => ctx.isAdmin || n.shared || (n.tenant_id ?? n.project_id) === projectId,
      );
      const missing = wanted.find((id) => !usable.some((n) => n.id === id));
      if (missing !== undefined) {
        throw new NetworkNotFoundForCreate(missing);
      }
      await this.checkSubnets(ctx, usable);
    }
    for (const nic of nics) {
      if (nic.port) {
        await this.checkPort(ctx, projectId, nic.port);
      } else if (nic.fixed_ip) {
        await this.checkAddress(ctx, nic.uuid!, nic.fixed_ip);
      }
    }
    return this.withQuota(ctx, projectId, nics, count);
  }

  /** The project's networks and the shared ones (not the external ones), as Nova's _get_available_networks. */
  private async availableNetworks(ctx: RequestContext, projectId: string) {
    const [own, shared] = await Promise.all([
      this.neutron.get<Nets>(
        ctx,
        `/networks${queryString({ tenant_id: projectId, shared: 'False' })}`,
        'service',
      ),
      this.neutron.get<Nets>(ctx, `/networks${queryString({ shared: 'True' })}`, 'service'),
    ]);
    return [...own.networks.filter((n) => !n['router:external']), ...shared.networks];
  }

  /** Neutron's auto-allocated topology for the project, when the extension can give one. */
  private async autoAllocate(ctx: RequestContext, projectId: string): Promise<string> {
    try {
      await this.neutron.get(
        ctx,
        `/auto-allocated-topology/${projectId}${queryString({ fields: 'dry-run' })}`,
        'service',
      );
      const topology = await this.neutron.get<{ auto_allocated_topology: { id: string } }>(
        ctx,
        `/auto-allocated-topology/${projectId}`,
        'service',
      );
      return topology.auto_allocated_topology.id;
    } catch (err) {
      if (err instanceof NeutronHttpError) {
        throw new UnableToAutoAllocateNetwork(projectId);
      }
      throw err;
    }
  }

  private async checkSubnets(ctx: RequestContext, nets: readonly NeutronNetwork[]) {
    for (const net of nets) {
      const subnets =
        net.subnets ??
        (
          await this.neutron.get<{ subnets: Array<{ id: string }> }>(
            ctx,
            `/subnets${queryString({ network_id: net.id, fields: 'id' })}`,
            'service',
          )
        ).subnets;
      if (subnets.length === 0) {
        throw new NetworkRequiresSubnet(net.id);
      }
    }
  }

  private async checkPort(ctx: RequestContext, projectId: string, id: string): Promise<void> {
    let port: NeutronPort;
    try {
      port = (await this.neutron.get<{ port: NeutronPort }>(ctx, `/ports/${id}`, 'service')).port;
    } catch (err) {
      if (err instanceof NeutronHttpError && err.status === 404) {
        throw new PortNotFoundForCreate(id);
      }
      throw err;
    }
    if (!ctx.isAdmin && (port.tenant_id ?? port.project_id) !== projectId) {
      throw new PortNotFoundForCreate(id);
    }
    if (port.device_id) {
      throw new PortInUse(id);
    }
  }

  private async checkAddress(ctx: RequestContext, networkId: string, address: string) {
    const found = await this.neutron.get<{ ports: NeutronPort[] }>(
      ctx,
      `/ports${queryString({ network_id: networkId, fixed_ips: `ip_address=${address}`, fields: ['id', 'device_id'] })}`,
      'service',
    );
    const user = found.ports[0];
    if (user) {
      throw new FixedIpAlreadyInUse(address, user.device_id ?? '');
    }
  }

  /** How many instances the project's port quota leaves room for (Nova counts its ports). */
  private async withQuota(
    ctx: RequestContext,
    projectId: string,
    nics: readonly PortRequest[],
    count: number,
  ): Promise<NicPlan> {
    const needed = nics.filter((n) => !n.port).length;
    if (needed === 0) {
      return { nics, allowed: count };
    }
    const quota = await this.neutron.get<{ quota: { port?: number } }>(
      ctx,
      `/quotas/${projectId}`,
      'service',
    );
    const limit = quota.quota.port ?? -1;
    if (limit < 0) {
      return { nics, allowed: count };
    }
    const used = (
      await this.neutron.get<{ ports: Array<{ id: string }> }>(
        ctx,
        `/ports${queryString({ tenant_id: projectId, fields: 'id' })}`,
        'service',
      )
    ).ports.length;
    const free = Math.max(0, limit - used);
    return { nics, allowed: Math.min(count, Math.floor(free / needed)) };
  }
}
