import type { RequestContext } from '@nova/common';
import { getLogger } from '@nova/logging';
import type { NeutronClient } from './neutron-client';
import { queryString } from './neutron-client';
import { NeutronHttpError } from './neutron-errors';
import type { NeutronNetwork, NeutronSubnet, RecordedVif } from './networks';

const log = getLogger('network.ports');

/** Neutron's port (the fields we read and write). */
export interface NeutronPort {
  readonly id: string;
  readonly network_id: string;
  readonly tenant_id?: string;
  readonly project_id?: string;
  readonly mac_address: string;
  readonly fixed_ips?: ReadonlyArray<{ readonly subnet_id: string; readonly ip_address: string }>;
  readonly device_id?: string;
  readonly device_owner?: string;
  readonly status?: string;
  readonly security_groups?: readonly string[];
  readonly port_security_enabled?: boolean;
  readonly 'binding:host_id'?: string | null;
}

/** One NIC asked for (what a build request keeps): a network, maybe an address, or a port. */
export interface PortRequest {
  readonly uuid?: string;
  readonly fixed_ip?: string;
  readonly port?: string;
  readonly tag?: string;
}

/** A VIF of a Neutron port, one per fixed IP, as the info cache keeps it. */
export interface PortVif extends RecordedVif {
  readonly port_id: string;
  readonly preserve_on_delete: boolean;
  readonly tag?: string | null;
}

/** Who the ports are for. */
export interface PortOwner {
  readonly uuid: string;
  readonly projectId: string;
  /** Its availability zone: the ports' device_owner is `compute:<zone>`, as Nova writes it. */
  readonly zone: string | null;
  /** The host the ports are bound to (`binding:host_id`). */
  readonly host: string | null;
}

type Ports = { ports: NeutronPort[] };

/**
 * A server's ports in Neutron, always with Nova's service user (the
 * conductors and computes have no user token): created for a network or
 * taken over when the user brought them, bound to the server's host, rebound
 * when it moves, deleted (ours) or released (the user's) when it goes.
 */
export class NeutronPorts {
  constructor(private readonly neutron: NeutronClient) {}

  /**
   * The ports of a new server, in the order asked, with device_id,
   * device_owner and binding written; `groups` (names in the server's
   * project) go on the ports we create. On a failure the ports created are
   * deleted and the ones taken over released again before the error is thrown.
   */
  async allocate(
    ctx: RequestContext,
    owner: PortOwner,
    nics: readonly PortRequest[],
    groups: readonly string[],
  ): Promise<PortVif[]> {
    const groupIds = await this.groupIds(ctx, owner.projectId, groups);
    const done: Array<{ port: NeutronPort; preserve: boolean; tag: string | null }> = [];
    try {
      for (const nic of nics) {
        const port = nic.port
          ? await this.takeOver(ctx, nic.port, owner)
          : await this.create(ctx, nic, owner, groupIds);
        done.push({ port, preserve: !!nic.port, tag: nic.tag ?? null });
      }
      return await this.vifs(
        ctx,
        done.map((d) => d.port),
        (port) => done.find((d) => d.port.id === port.id)!,
      );
    } catch (err) {
      await this.release(
        ctx,
        done.map((d) => ({ id: d.port.id, preserve: d.preserve })),
      );
      throw err;
    }
  }

  /** One more port for a running server (os-interface attach). */
  async attach(
    ctx: RequestContext,
    owner: PortOwner,
    nic: PortRequest,
    groups: readonly string[],
  ): Promise<{ port: NeutronPort; vifs: PortVif[] }> {
    const port = nic.port
      ? await this.takeOver(ctx, nic.port, owner)
      : await this.create(ctx, nic, owner, await this.groupIds(ctx, owner.projectId, groups));
    try {
      const vifs = await this.vifs(ctx, [port], () => ({
        preserve: !!nic.port,
        tag: nic.tag ?? null,
      }));
      return { port, vifs };
    } catch (err) {
      await this.release(ctx, [{ id: port.id, preserve: !!nic.port }]);
      throw err;
    }
  }

  /**
   * Bind every port of the server to `host` (a build's reschedule, a move's
   * destination, an unshelve); null unbinds them (shelve offload, as Nova).
   */
  async bind(ctx: RequestContext, uuid: string, host: string | null): Promise<void> {
    for (const port of await this.serverPorts(ctx, uuid)) {
      if ((port['binding:host_id'] || null) !== host) {
        await this.neutron.put(
          ctx,
          `/ports/${port.id}`,
          { port: { 'binding:host_id': host ?? '' } },
          'service',
        );
      }
    }
  }

  /**
   * The server's groups changed (addSecurityGroup / removeSecurityGroup):
   * every port of it with port security gets exactly `names` (in its project).
   */
  async applyGroups(
    ctx: RequestContext,
    uuid: string,
    projectId: string,
    names: readonly string[],
  ): Promise<void> {
    const ids = names.length === 0 ? [] : await this.resolveGroups(ctx, projectId, names);
    for (const port of await this.serverPorts(ctx, uuid)) {
      if (port.port_security_enabled === false) {
        continue;
      }
      await this.neutron.put(
        ctx,
        `/ports/${port.id}`,
        { port: { security_groups: ids } },
        'service',
      );
    }
  }

  /** The server's ports (device_id), as Neutron has them. */
  async serverPorts(ctx: RequestContext, uuid: string): Promise<NeutronPort[]> {
    const body = await this.neutron.get<Ports>(
      ctx,
      `/ports${queryString({ device_id: uuid })}`,
      'service',
    );
    return body.ports;
  }

  /** A port by id, or null when Neutron has none. */
  async port(ctx: RequestContext, id: string): Promise<NeutronPort | null> {
    try {
      return (await this.neutron.get<{ port: NeutronPort }>(ctx, `/ports/${id}`, 'service')).port;
    } catch (err) {
      if (err instanceof NeutronHttpError && err.status === 404) {
        return null;
      }
      throw err;
    }
  }

  /**
   * The server is gone: the ports we created are deleted, the ones the user
   * brought (`preserved`) lose device, owner and binding (Nova's _unbind_ports).
   */
  async deallocate(
    ctx: RequestContext,
    uuid: string,
    preserved: ReadonlySet<string>,
  ): Promise<void> {
    const ports = await this.serverPorts(ctx, uuid);
    await this.release(
      ctx,
      ports.map((p) => ({ id: p.id, preserve: preserved.has(p.id) })),
    );
  }

  /** deallocate, the user's ports known from what the info cache recorded. */
  async deallocateRecorded(
    ctx: RequestContext,
    uuid: string,
    recorded: ReadonlyArray<{ readonly port_id?: string; readonly preserve_on_delete?: boolean }>,
  ): Promise<void> {
    const preserved = recorded.flatMap((v) =>
      v.preserve_on_delete && v.port_id ? [v.port_id] : [],
    );
    await this.deallocate(ctx, uuid, new Set(preserved));
  }

  /** Delete or unbind each port; a port already gone is fine, any other failure is logged. */
  async release(
    ctx: RequestContext,
    ports: ReadonlyArray<{ readonly id: string; readonly preserve: boolean }>,
  ): Promise<void> {
    for (const { id, preserve } of ports) {
      try {
        if (preserve) {
          await this.neutron.put(
            ctx,
            `/ports/${id}`,
            {
              port: {
                device_id: '',
                device_owner: '',
                'binding:host_id': null,
                'binding:profile': {},
              },
            },
            'service',
          );
        } else {
          await this.neutron.delete(ctx, `/ports/${id}`, 'service');
        }
      } catch (err) {
        if (err instanceof NeutronHttpError && err.status === 404) {
          continue;
        }
        log.error({ port: id, preserve, err: String(err) }, 'could not release a port');
        throw err;
      }
    }
  }

  /** The VIFs of ports: their network's name and subnet, one per fixed IP. */
  async vifs(
    ctx: RequestContext,
    ports: readonly NeutronPort[],
    facts: (port: NeutronPort) => { preserve: boolean; tag: string | null },
  ): Promise<PortVif[]> {
    if (ports.length === 0) {
      return [];
    }
    const netIds = [...new Set(ports.map((p) => p.network_id))];
    const subnetIds = [
      ...new Set(ports.flatMap((p) => (p.fixed_ips ?? []).map((ip) => ip.subnet_id))),
    ];
    const [nets, subnets] = await Promise.all([
      this.neutron.get<{ networks: NeutronNetwork[] }>(
        ctx,
        `/networks${queryString({ id: netIds, fields: ['id', 'name'] })}`,
        'service',
      ),
      subnetIds.length === 0
        ? { subnets: [] as NeutronSubnet[] }
        : this.neutron.get<{ subnets: NeutronSubnet[] }>(
            ctx,
            `/subnets${queryString({ id: subnetIds })}`,
            'service',
          ),
    ]);
    const names = new Map(nets.networks.map((n) => [n.id, n.name]));
    const subnetOf = new Map(subnets.subnets.map((s) => [s.id, s]));
    return ports.flatMap((port) => {
      const { preserve, tag } = facts(port);
      return (port.fixed_ips ?? []).map((ip): PortVif => {
        const subnet = subnetOf.get(ip.subnet_id);
        return {
          network: names.get(port.network_id) ?? port.network_id,
          address: ip.ip_address,
          mac: port.mac_address,
          id: port.id,
          port_id: port.id,
          network_id: port.network_id,
          ...(subnet ? { cidr: subnet.cidr, gateway: subnet.gateway_ip } : {}),
          preserve_on_delete: preserve,
          ...(tag !== null ? { tag } : {}),
        };
      });
    });
  }

  private async create(
    ctx: RequestContext,
    nic: PortRequest,
    owner: PortOwner,
    groupIds: readonly string[] | null,
  ): Promise<NeutronPort> {
    const body = await this.neutron.post<{ port: NeutronPort }>(
      ctx,
      '/ports',
      {
        port: {
          network_id: nic.uuid,
          tenant_id: owner.projectId,
          ...deviceFields(owner),
          ...(nic.fixed_ip ? { fixed_ips: [{ ip_address: nic.fixed_ip }] } : {}),
          ...(groupIds ? { security_groups: groupIds } : {}),
        },
      },
      'service',
    );
    return body.port;
  }

  private async takeOver(ctx: RequestContext, id: string, owner: PortOwner): Promise<NeutronPort> {
    const body = await this.neutron.put<{ port: NeutronPort }>(
      ctx,
      `/ports/${id}`,
      { port: deviceFields(owner) },
      'service',
    );
    return body.port;
  }

  /**
   * The ids of the groups named in the project; null for the project's
   * default alone (Neutron puts a port there by itself).
   */
  async groupIds(
    ctx: RequestContext,
    projectId: string,
    names: readonly string[],
  ): Promise<string[] | null> {
    if (names.length === 0 || (names.length === 1 && names[0] === 'default')) {
      return null;
    }
    return this.resolveGroups(ctx, projectId, names);
  }

  /** The ids of the groups named in the project, in the order of `names`. */
  private async resolveGroups(
    ctx: RequestContext,
    projectId: string,
    names: readonly string[],
  ): Promise<string[]> {
    const body = await this.neutron.get<{ security_groups: Array<{ id: string; name: string }> }>(
      ctx,
      `/security-groups${queryString({ tenant_id: projectId, name: [...names], fields: ['id', 'name'] })}`,
      'service',
    );
    return names.map((name) => {
      const found = body.security_groups.find((g) => g.name === name);
      if (!found) {
        throw new Error(`Security group ${name} not found for project ${projectId}`);
      }
      return found.id;
    });
  }
}

function deviceFields(owner: PortOwner): Record<string, string | null> {
  return {
    device_id: owner.uuid,
    device_owner: `compute:${owner.zone ?? 'None'}`,
    ...(owner.host ? { 'binding:host_id': owner.host } : {}),
  };
}
