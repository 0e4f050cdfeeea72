import { Conflict, Forbidden, Invalid, NotFound, type RequestContext } from '@nova/common';
import {
  floatingIpView,
  poolView,
  type FloatingIpView,
  type NeutronFloatingIp,
} from './floating-ips';
import type { FloatingMapping, GroupMatch, NetworkApi, ServerRef } from './network-api';
import {
  FloatingIpLimitExceeded,
  FloatingIpNotFound,
  FloatingIpPoolNotFound,
  NetworkNotFound,
  NoMoreFloatingIps,
  NoUniqueMatch,
  SecurityGroupInvalid,
  SecurityGroupLimitExceeded,
  SecurityGroupNotFound,
} from './network-errors';
import { queryString, type NeutronClient } from './neutron-client';
import { NeutronHttpError } from './neutron-errors';
import {
  networkFromNeutron,
  type Network,
  type NeutronNetwork,
  type NeutronSubnet,
} from './networks';
import {
  checkGroupProperty,
  checkSecurityGroupId,
  fromBody,
  groupFromNeutron,
  groupView,
  isUuidLike,
  neutronRuleBody,
  newIngressRule,
  ruleExists,
  remoteGroupIds,
  ruleFromNeutron,
  ruleView,
  type GroupRef,
  type NeutronRule,
  type NeutronSecurityGroup,
  type RuleRequest,
  type SecurityGroup,
  type SecurityGroupRuleView,
  type SecurityGroupView,
} from './security-groups';

type Groups = { security_groups: NeutronSecurityGroup[] };
type Nets = { networks: NeutronNetwork[] };

/** Neutron's status of an error, or undefined for anything else. */
function statusOf(err: unknown): number | undefined {
  return err instanceof NeutronHttpError ? err.status : undefined;
}

/**
 * Nova's network proxy APIs over Neutron (nova/network/security_group_api.py
 * and neutron.py's floating IP calls), with the requesting user's token. With
 * noauth2 there is no user token: calls are the service user's, scoped here
 * to the caller's project (what Neutron would have done with the user's).
 */
export class NeutronNetworkApi implements NetworkApi {
  readonly kind = 'neutron';

  constructor(
    private readonly neutron: NeutronClient,
    private readonly defaultPool: string,
  ) {}

  // --- security groups ----------------------------------------------------------

  async listSecurityGroups(ctx: RequestContext, allTenants: boolean): Promise<SecurityGroupView[]> {
    const all = allTenants && ctx.isAdmin;
    const params = all ? {} : { tenant_id: ctx.projectId ?? '' };
    const body = await this.neutron.get<Groups>(ctx, `/security-groups${queryString(params)}`);
    return this.views(ctx, body.security_groups.map(groupFromNeutron));
  }

  async getSecurityGroup(ctx: RequestContext, id: string): Promise<SecurityGroupView> {
    const group = await this.group(ctx, checkSecurityGroupId(id));
    return (await this.views(ctx, [group]))[0];
  }

  async createSecurityGroup(
    ctx: RequestContext,
    name: string,
    description: string,
  ): Promise<SecurityGroupView> {
    let created: { security_group: NeutronSecurityGroup };
    try {
      created = await this.neutron.post(ctx, '/security-groups', {
        security_group: { name, description, ...this.owner(ctx) },
      });
    } catch (err) {
      throw this.groupError(err, { 409: SecurityGroupLimitExceeded });
    }
    return (await this.views(ctx, [groupFromNeutron(created.security_group)]))[0];
  }

  async updateSecurityGroup(
    ctx: RequestContext,
    id: string,
    body: unknown,
  ): Promise<SecurityGroupView> {
    const group = await this.group(ctx, checkSecurityGroupId(id));
    const fields = fromBody(body, 'security_group');
    const name = checkGroupProperty(fields['name'], 'name');
    const description = checkGroupProperty(fields['description'], 'description');
    let updated: { security_group: NeutronSecurityGroup };
    try {
      updated = await this.neutron.put(ctx, `/security-groups/${group.id}`, {
        security_group: { name, description },
      });
    } catch (err) {
      throw this.groupError(err, { 409: SecurityGroupInvalid });
    }
    return (await this.views(ctx, [groupFromNeutron(updated.security_group)]))[0];
  }

  async deleteSecurityGroup(ctx: RequestContext, id: string): Promise<void> {
    const group = await this.group(ctx, checkSecurityGroupId(id));
    try {
      await this.neutron.delete(ctx, `/security-groups/${group.id}`);
    } catch (err) {
      // In use (or the default group): Nova's Invalid.
      throw this.groupError(err, { 409: SecurityGroupInvalid });
    }
  }

  async createSecurityGroupRule(
    ctx: RequestContext,
    parentGroupId: unknown,
    request: RuleRequest,
  ): Promise<SecurityGroupRuleView> {
    const parent = await this.group(ctx, checkSecurityGroupId(parentGroupId));
    let source: SecurityGroup | undefined;
    let groupId: string | undefined;
    if (request.group_id !== undefined && request.group_id !== null) {
      groupId = checkSecurityGroupId(request.group_id);
      source = await this.group(ctx, groupId);
    }
    const rule = newIngressRule({ ...request, group_id: groupId ?? null });
    if (rule === null) {
      throw new Invalid('Not enough parameters to build a valid rule.');
    }
    if (ruleExists(parent, rule)) {
      throw new Invalid(`This rule already exists in group ${parent.id}`);
    }
    let created: { security_group_rule: NeutronRule };
    try {
      created = await this.neutron.post(ctx, '/security-group-rules', {
        security_group_rule: { ...neutronRuleBody(rule, parent.id), ...this.owner(ctx) },
      });
    } catch (err) {
      throw this.groupError(err, { 409: SecurityGroupLimitExceeded });
    }
    const refs = new Map<string, GroupRef>();
    if (source) {
      refs.set(source.id, { name: source.name, tenant_id: source.project_id });
    }
    return ruleView(ruleFromNeutron(created.security_group_rule), refs) as SecurityGroupRuleView;
  }

  async deleteSecurityGroupRule(ctx: RequestContext, id: string): Promise<void> {
    const ruleId = checkSecurityGroupId(id);
    let rule: NeutronRule;
    try {
      rule = (
        await this.neutron.get<{ security_group_rule: NeutronRule }>(
          ctx,
          `/security-group-rules/${ruleId}`,
        )
      ).security_group_rule;
    } catch (err) {
      throw this.groupError(err, {});
    }
    await this.group(ctx, rule.security_group_id); // the owner check of the service-token path
    try {
      await this.neutron.delete(ctx, `/security-group-rules/${ruleId}`);
    } catch (err) {
      throw this.groupError(err, { 409: SecurityGroupInvalid });
    }
  }

  async serverSecurityGroups(
    ctx: RequestContext,
    projectId: string,
    names: readonly string[],
  ): Promise<SecurityGroupView[]> {
    if (names.length === 0) {
      return [];
    }
    const body = await this.neutron.get<Groups>(
      ctx,
      `/security-groups${queryString({ tenant_id: projectId, name: [...new Set(names)] })}`,
    );
    const groups = body.security_groups.map(groupFromNeutron);
    const ordered = [...new Set(names)].flatMap((n) => groups.filter((g) => g.name === n));
    return this.views(ctx, ordered);
  }

  async findSecurityGroup(
    ctx: RequestContext,
    projectId: string,
    nameOrId: string,
  ): Promise<GroupMatch> {
    if (isUuidLike(nameOrId)) {
      const byId = await this.neutron.get<Groups>(
        ctx,
        `/security-groups${queryString({ id: nameOrId, fields: ['id', 'name', 'tenant_id'] })}`,
      );
      const group = byId.security_groups[0];
      if (group && (this.neutron.actsAsUser(ctx) || ctx.isAdmin || group.tenant_id === projectId)) {
        return { id: group.id, name: group.name };
      }
    }
    const byName = await this.neutron.get<Groups>(
      ctx,
      `/security-groups${queryString({ name: nameOrId, tenant_id: projectId, fields: ['id', 'name'] })}`,
    );
    const found = byName.security_groups;
    if (found.length > 1) {
      throw new NoUniqueMatch(
        `Multiple security_group matches found for name '${nameOrId}', use an ID to be more specific.`,
      );
    }
    const only = found[0];
    if (!only) {
      throw new SecurityGroupNotFound(
        `Security group ${nameOrId} is not found for project ${projectId}`,
      );
    }
    return { id: only.id, name: only.name };
  }

  /** The group, 404 with Neutron's message; one of another project is 404 on the service path. */
  private async group(ctx: RequestContext, id: string): Promise<SecurityGroup> {
    let group: NeutronSecurityGroup;
    try {
      group = (
        await this.neutron.get<{ security_group: NeutronSecurityGroup }>(
          ctx,
          `/security-groups/${id}`,
        )
      ).security_group;
    } catch (err) {
      throw this.groupError(err, {});
    }
    const nova = groupFromNeutron(group);
    if (!this.neutron.actsAsUser(ctx) && !ctx.isAdmin && nova.project_id !== ctx.projectId) {
      throw new SecurityGroupNotFound(`Security group ${id} does not exist`);
    }
    return nova;
  }

  /** Views, with the names of the remote groups rules refer to (looked up when not in hand). */
  private async views(
    ctx: RequestContext,
    groups: readonly SecurityGroup[],
  ): Promise<SecurityGroupView[]> {
    const refs = new Map<string, GroupRef>(
      groups.map((g) => [g.id, { name: g.name, tenant_id: g.project_id }]),
    );
    const missing = remoteGroupIds(groups).filter((id) => !refs.has(id));
    if (missing.length > 0) {
      const found = await this.neutron.get<Groups>(
        ctx,
        `/security-groups${queryString({ id: missing, fields: ['id', 'name', 'tenant_id'] })}`,
      );
      for (const g of found.security_groups) {
        refs.set(g.id, { name: g.name, tenant_id: g.tenant_id ?? g.project_id ?? null });
      }
    }
    return groups.map((g) => groupView(g, refs));
  }

  /** Resources created on the service path belong to the caller's project. */
  private owner(ctx: RequestContext): { tenant_id?: string } {
    return !this.neutron.actsAsUser(ctx) && ctx.projectId ? { tenant_id: ctx.projectId } : {};
  }

  /** Neutron's 4xx as Nova's security group errors (404 not found, 400 invalid, `extra`). */
  private groupError(
    err: unknown,
    extra: Partial<Record<number, new (message: string) => Error>>,
  ): unknown {
    if (!(err instanceof NeutronHttpError)) {
      return err;
    }
    const mapped = extra[err.status];
    if (mapped) {
      return new mapped(err.detail);
    }
    switch (err.status) {
      case 404:
        return new SecurityGroupNotFound(err.detail);
      case 400:
        return new SecurityGroupInvalid(err.detail);
      case 401:
      case 403:
        return new Forbidden(err.detail);
    }
    return new SecurityGroupInvalid(err.detail);
  }

  // --- networks -----------------------------------------------------------------

  async listNetworks(ctx: RequestContext): Promise<Network[]> {
    const body = await this.neutron.get<Nets>(ctx, '/networks');
    const visible =
      this.neutron.actsAsUser(ctx) || ctx.isAdmin
        ? body.networks
        : body.networks.filter(
            (n) => n.tenant_id === ctx.projectId || n.shared || n['router:external'],
          );
    return this.withSubnets(ctx, visible);
  }

  async listProjectNetworks(ctx: RequestContext): Promise<Network[]> {
    const body = await this.neutron.get<Nets>(
      ctx,
      `/networks${queryString({ tenant_id: ctx.projectId ?? '' })}`,
    );
    return this.withSubnets(ctx, body.networks);
  }

  async getNetwork(ctx: RequestContext, id: string): Promise<Network> {
    let net: NeutronNetwork;
    try {
      net = (
        await this.neutron.get<{ network: NeutronNetwork }>(
          ctx,
          `/networks/${encodeURIComponent(id)}`,
        )
      ).network;
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new NetworkNotFound();
      }
      throw err;
    }
    const visible =
      this.neutron.actsAsUser(ctx) ||
      ctx.isAdmin ||
      net.tenant_id === ctx.projectId ||
      net.shared ||
      net['router:external'];
    if (!visible) {
      throw new NetworkNotFound();
    }
    return (await this.withSubnets(ctx, [net]))[0];
  }

  private async withSubnets(
    ctx: RequestContext,
    nets: readonly NeutronNetwork[],
  ): Promise<Network[]> {
    if (nets.length === 0) {
      return [];
    }
    const subnets = (
      await this.neutron.get<{ subnets: NeutronSubnet[] }>(
        ctx,
        `/subnets${queryString({ network_id: nets.map((n) => n.id) })}`,
      )
    ).subnets;
    return nets.map((n) => networkFromNeutron(n, subnets));
  }

  // --- floating IPs -------------------------------------------------------------

  async listFloatingIps(ctx: RequestContext): Promise<FloatingIpView[]> {
    const body = await this.floatingIps(
      ctx,
      `/floatingips${queryString({ tenant_id: ctx.projectId ?? '' })}`,
    );
    return this.fipViews(ctx, body);
  }

  /** Floating IPs; a Neutron without the L3 plugin (no /floatingips: 404) has none. */
  private async floatingIps(ctx: RequestContext, path: string): Promise<NeutronFloatingIp[]> {
    try {
      return (await this.neutron.get<{ floatingips: NeutronFloatingIp[] }>(ctx, path)).floatingips;
    } catch (err) {
      if (statusOf(err) === 404) {
        return [];
      }
      throw err;
    }
  }

  async getFloatingIp(ctx: RequestContext, id: string): Promise<FloatingIpView> {
    return (await this.fipViews(ctx, [await this.fip(ctx, id)]))[0];
  }

  async allocateFloatingIp(ctx: RequestContext, pool: string | undefined): Promise<FloatingIpView> {
    const networkId = await this.poolId(ctx, pool ?? this.defaultPool);
    let created: { floatingip: NeutronFloatingIp };
    try {
      created = await this.neutron.post(ctx, '/floatingips', {
        floatingip: { floating_network_id: networkId, ...this.owner(ctx) },
      });
    } catch (err) {
      if (err instanceof NeutronHttpError) {
        if (err.type === 'OverQuota' || (err.status === 409 && /quota/i.test(err.detail))) {
          throw new FloatingIpLimitExceeded(pool);
        }
        if (err.type === 'IpAddressGenerationFailure' || err.status === 409) {
          throw new NoMoreFloatingIps(pool);
        }
        if (err.status === 400) {
          throw new Invalid(`Bad floating IP request: ${err.detail}`);
        }
        if (err.status === 404) {
          throw new FloatingIpPoolNotFound();
        }
        if (err.status === 403) {
          throw new Forbidden(err.detail);
        }
      }
      throw err;
    }
    return (await this.fipViews(ctx, [created.floatingip]))[0];
  }

  async releaseFloatingIp(ctx: RequestContext, id: string): Promise<void> {
    const fip = await this.fip(ctx, id);
    try {
      await this.neutron.delete(ctx, `/floatingips/${fip.id}`);
    } catch (err) {
      if (statusOf(err) === 404) {
        throw new FloatingIpNotFound(id);
      }
      if (statusOf(err) === 403) {
        throw new Forbidden('Forbidden');
      }
      throw err;
    }
  }

  async floatingIpPools(ctx: RequestContext): Promise<Array<{ name: string }>> {
    const body = await this.neutron.get<Nets>(
      ctx,
      `/networks${queryString({ 'router:external': 'True' })}`,
    );
    return body.networks.map(poolView);
  }

  async associateFloatingIp(
    ctx: RequestContext,
    server: ServerRef,
    address: string,
    fixedAddress: string,
  ): Promise<void> {
    const fip = await this.fipByAddress(ctx, address);
    const ports = (
      await this.neutron.get<{
        ports: Array<{ id: string; fixed_ips?: Array<{ ip_address: string }> }>;
      }>(ctx, `/ports${queryString({ device_id: server.uuid })}`)
    ).ports;
    const port = ports.find((p) =>
      (p.fixed_ips ?? []).some((ip) => ip.ip_address === fixedAddress),
    );
    if (!port) {
      throw new Invalid(
        `Unable to associate floating IP ${address} to fixed IP ${fixedAddress} for instance ${server.uuid}. Error: the instance has no Neutron port with fixed IP ${fixedAddress}`,
      );
    }
    try {
      await this.neutron.put(ctx, `/floatingips/${fip.id}`, {
        floatingip: { port_id: port.id, fixed_ip_address: fixedAddress },
      });
    } catch (err) {
      if (err instanceof NeutronHttpError && err.status === 409) {
        throw new Invalid(err.detail);
      }
      if (err instanceof NeutronHttpError && err.status === 404) {
        throw new NotFound('floating IP not found');
      }
      if (err instanceof NeutronHttpError && err.status === 400) {
        throw new Invalid(
          `Unable to associate floating IP ${address} to fixed IP ${fixedAddress} for instance ${server.uuid}. Error: ${err.detail}`,
        );
      }
      throw err;
    }
  }

  async disassociateFloatingIp(
    ctx: RequestContext,
    server: ServerRef,
    address: string,
  ): Promise<void> {
    const fip = await this.fipByAddress(ctx, address);
    const device = fip.port_id
      ? (await this.portDevices(ctx, [fip.port_id])).get(fip.port_id)
      : undefined;
    if (!fip.port_id || device !== server.uuid) {
      throw new Conflict(`Floating IP ${address} is not associated with instance ${server.uuid}.`);
    }
    await this.neutron.put(ctx, `/floatingips/${fip.id}`, { floatingip: { port_id: null } });
  }

  async floatingIpsOfPorts(
    ctx: RequestContext,
    portIds: readonly string[],
  ): Promise<FloatingMapping[]> {
    if (portIds.length === 0) {
      return [];
    }
    const fips = await this.floatingIps(ctx, `/floatingips${queryString({ port_id: portIds })}`);
    return fips.flatMap((fip) =>
      fip.port_id && fip.fixed_ip_address
        ? [
            {
              portId: fip.port_id,
              fixedIp: fip.fixed_ip_address,
              floatingIp: fip.floating_ip_address,
            },
          ]
        : [],
    );
  }

  private async fip(ctx: RequestContext, id: string): Promise<NeutronFloatingIp> {
    let fip: NeutronFloatingIp;
    try {
      fip = (
        await this.neutron.get<{ floatingip: NeutronFloatingIp }>(
          ctx,
          `/floatingips/${encodeURIComponent(id)}`,
        )
      ).floatingip;
    } catch (err) {
      if (statusOf(err) === 404 || statusOf(err) === 400) {
        throw new FloatingIpNotFound(id);
      }
      throw err;
    }
    const owner = fip.tenant_id ?? fip.project_id;
    if (!this.neutron.actsAsUser(ctx) && !ctx.isAdmin && owner !== ctx.projectId) {
      throw new FloatingIpNotFound(id);
    }
    return fip;
  }

  private async fipByAddress(ctx: RequestContext, address: string): Promise<NeutronFloatingIp> {
    const found = await this.floatingIps(
      ctx,
      `/floatingips${queryString({
        floating_ip_address: address,
        ...(this.neutron.actsAsUser(ctx) || ctx.isAdmin ? {} : { tenant_id: ctx.projectId ?? '' }),
      })}`,
    );
    const fip = found[0];
    if (!fip) {
      throw new NotFound('floating IP not found');
    }
    return fip;
  }

  /** The external network a pool name or id means (Nova's _get_floating_ip_pool_id_by_name_or_id). */
  private async poolId(ctx: RequestContext, nameOrId: string): Promise<string> {
    const key = isUuidLike(nameOrId) ? 'id' : 'name';
    const nets = (
      await this.neutron.get<Nets>(
        ctx,
        `/networks${queryString({ 'router:external': 'True', [key]: nameOrId, fields: 'id' })}`,
      )
    ).networks;
    if (nets.length === 0) {
      throw new FloatingIpPoolNotFound();
    }
    if (nets.length > 1) {
      throw new NoUniqueMatch(`Multiple floating IP pools matches found for name '${nameOrId}'`);
    }
    return nets[0].id;
  }

  private async fipViews(
    ctx: RequestContext,
    fips: readonly NeutronFloatingIp[],
  ): Promise<FloatingIpView[]> {
    if (fips.length === 0) {
      return [];
    }
    const netIds = [...new Set(fips.map((f) => f.floating_network_id))];
    const nets = (
      await this.neutron.get<Nets>(
        ctx,
        `/networks${queryString({ id: netIds, fields: ['id', 'name'] })}`,
      )
    ).networks;
    const portIds = fips
      .filter((f) => f.port_id && !f.port_details)
      .map((f) => f.port_id as string);
    const portDevices = await this.portDevices(ctx, portIds);
    const networkNames = new Map(nets.map((n) => [n.id, n.name]));
    return fips.map((f) => floatingIpView(f, { networkNames, portDevices }));
  }

  /** Port id -> device id (the server a port is plugged into). */
  private async portDevices(
    ctx: RequestContext,
    ids: readonly string[],
  ): Promise<Map<string, string>> {
    if (ids.length === 0) {
      return new Map();
    }
    const ports = (
      await this.neutron.get<{ ports: Array<{ id: string; device_id?: string }> }>(
        ctx,
        `/ports${queryString({ id: [...new Set(ids)], fields: ['id', 'device_id'] })}`,
      )
    ).ports;
    return new Map(ports.filter((p) => p.device_id).map((p) => [p.id, p.device_id as string]));
  }
}
