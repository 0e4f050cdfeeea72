import { Invalid, NotFound, type RequestContext } from '@nova/common';
import type { FloatingIpView } from './floating-ips';
import type { FloatingMapping, GroupMatch, NetworkApi } from './network-api';
import {
  FloatingIpNotFound,
  NetworkNotFound,
  NoMoreFloatingIps,
  SecurityGroupNotFound,
} from './network-errors';
import { flatGroupId, flatNetwork, type Network } from './networks';
import {
  checkGroupProperty,
  checkSecurityGroupId,
  fromBody,
  type RuleRequest,
  type SecurityGroupRuleView,
  type SecurityGroupView,
} from './security-groups';

/** Why the flat network refuses to change groups. */
const NEEDS_NEUTRON =
  'The flat network has only the default security group, which filters nothing; ' +
  'security groups and their rules need Neutron ([neutron] auth_url).';

/**
 * The proxy APIs' answers without Neutron: one network (`[flat_network]`),
 * one security group per project (`default`, no rules: the flat network
 * filters nothing), no floating IPs.
 */
export class FlatNetworkApi implements NetworkApi {
  readonly kind = 'flat';
  private readonly network: Network;

  constructor(name: string, cidr: string) {
    this.network = flatNetwork(name, cidr);
  }

  private defaultGroup(projectId: string, name = 'default'): SecurityGroupView {
    return {
      id: flatGroupId(projectId, name),
      name,
      description: name === 'default' ? 'Default security group' : name,
      tenant_id: projectId,
      rules: [],
    };
  }

  async listSecurityGroups(ctx: RequestContext): Promise<SecurityGroupView[]> {
    return ctx.projectId ? [this.defaultGroup(ctx.projectId)] : [];
  }

  async getSecurityGroup(ctx: RequestContext, id: string): Promise<SecurityGroupView> {
    checkSecurityGroupId(id);
    if (ctx.projectId && id.toLowerCase() === flatGroupId(ctx.projectId)) {
      return this.defaultGroup(ctx.projectId);
    }
    throw new SecurityGroupNotFound(`Security group ${id} not found.`);
  }

  async createSecurityGroup(): Promise<SecurityGroupView> {
    throw new Invalid(NEEDS_NEUTRON);
  }

  async updateSecurityGroup(
    ctx: RequestContext,
    id: string,
    body: unknown,
  ): Promise<SecurityGroupView> {
    await this.getSecurityGroup(ctx, id);
    const fields = fromBody(body, 'security_group');
    checkGroupProperty(fields['name'], 'name');
    checkGroupProperty(fields['description'], 'description');
    throw new Invalid(NEEDS_NEUTRON);
  }

  async deleteSecurityGroup(ctx: RequestContext, id: string): Promise<void> {
    await this.getSecurityGroup(ctx, id);
    throw new Invalid('Removing default security group not allowed.');
  }

  async createSecurityGroupRule(
    ctx: RequestContext,
    parentGroupId: unknown,
    rule: RuleRequest,
  ): Promise<SecurityGroupRuleView> {
    await this.getSecurityGroup(ctx, checkSecurityGroupId(parentGroupId));
    if (rule.group_id !== undefined && rule.group_id !== null) {
      await this.getSecurityGroup(ctx, checkSecurityGroupId(rule.group_id));
    }
    throw new Invalid(NEEDS_NEUTRON);
  }

  async deleteSecurityGroupRule(_ctx: RequestContext, id: string): Promise<void> {
    throw new SecurityGroupNotFound(`Rule (${checkSecurityGroupId(id)}) not found.`);
  }

  async serverSecurityGroups(
    _ctx: RequestContext,
    projectId: string,
    names: readonly string[],
  ): Promise<SecurityGroupView[]> {
    // Servers keep any names on the flat network: each shows as a group without rules.
    return [...new Set(names)].map((name) => this.defaultGroup(projectId, name));
  }

  async findSecurityGroup(
    _ctx: RequestContext,
    projectId: string,
    nameOrId: string,
  ): Promise<GroupMatch> {
    const id = flatGroupId(projectId);
    if (nameOrId === 'default' || nameOrId.toLowerCase() === id) {
      return { id, name: 'default' };
    }
    throw new SecurityGroupNotFound(
      `Security group ${nameOrId} is not found for project ${projectId}`,
    );
  }

  async listNetworks(): Promise<Network[]> {
    return [this.network];
  }

  async listProjectNetworks(): Promise<Network[]> {
    return [this.network];
  }

  async getNetwork(_ctx: RequestContext, id: string): Promise<Network> {
    if (id.toLowerCase() === this.network.id || id === this.network.label) {
      return this.network;
    }
    throw new NetworkNotFound();
  }

  async listFloatingIps(): Promise<FloatingIpView[]> {
    return [];
  }

  async getFloatingIp(_ctx: RequestContext, id: string): Promise<FloatingIpView> {
    throw new FloatingIpNotFound(id);
  }

  async allocateFloatingIp(
    _ctx: RequestContext,
    pool: string | undefined,
  ): Promise<FloatingIpView> {
    throw new NoMoreFloatingIps(pool);
  }

  async releaseFloatingIp(_ctx: RequestContext, id: string): Promise<void> {
    throw new FloatingIpNotFound(id);
  }

  async floatingIpPools(): Promise<Array<{ name: string }>> {
    return [];
  }

  async associateFloatingIp(): Promise<void> {
    throw new NotFound('floating IP not found');
  }

  async disassociateFloatingIp(): Promise<void> {
    throw new NotFound('floating IP not found');
  }

  async floatingIpsOfPorts(): Promise<FloatingMapping[]> {
    return [];
  }
}
