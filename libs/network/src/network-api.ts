import type { RequestContext } from '@nova/common';
import type { FloatingIpView } from './floating-ips';
import type { Network } from './networks';
import type { RuleRequest, SecurityGroupRuleView, SecurityGroupView } from './security-groups';

export const NETWORK_API = Symbol('NETWORK_API');

/** What the network proxy APIs need to know of a server. */
export interface ServerRef {
  readonly uuid: string;
  readonly project_id: string;
  /** Its fixed addresses. */
  readonly fixedIps: readonly string[];
}

/** A security group a server can be given, by its name (what servers keep). */
export interface GroupMatch {
  readonly id: string;
  readonly name: string;
}

/**
 * The network side of Nova's proxy APIs: Neutron when `[neutron]` is
 * configured, the flat built-in network otherwise. Errors are Nova's
 * (NovaError subclasses with Nova's messages and codes).
 */
export interface NetworkApi {
  readonly kind: 'neutron' | 'flat';

  /** The caller's project's groups (every project's for an admin with `all_tenants`). */
  listSecurityGroups(ctx: RequestContext, allTenants: boolean): Promise<SecurityGroupView[]>;
  /** 400 for an id that is not a UUID, 404 for an unknown group. */
  getSecurityGroup(ctx: RequestContext, id: string): Promise<SecurityGroupView>;
  createSecurityGroup(
    ctx: RequestContext,
    name: string,
    description: string,
  ): Promise<SecurityGroupView>;
  updateSecurityGroup(
    ctx: RequestContext,
    id: string,
    /** The whole request body: checked after the group is found, as Nova does. */
    body: unknown,
  ): Promise<SecurityGroupView>;
  deleteSecurityGroup(ctx: RequestContext, id: string): Promise<void>;
  createSecurityGroupRule(
    ctx: RequestContext,
    parentGroupId: unknown,
    rule: RuleRequest,
  ): Promise<SecurityGroupRuleView>;
  deleteSecurityGroupRule(ctx: RequestContext, id: string): Promise<void>;

  /** The groups of `names` in the server's project, in the order of `names`. */
  serverSecurityGroups(
    ctx: RequestContext,
    projectId: string,
    names: readonly string[],
  ): Promise<SecurityGroupView[]>;
  /** The group `nameOrId` means in `projectId`: 404 when none, 409 when several. */
  findSecurityGroup(ctx: RequestContext, projectId: string, nameOrId: string): Promise<GroupMatch>;

  /** The networks the caller can see (os-networks). */
  listNetworks(ctx: RequestContext): Promise<Network[]>;
  /** The caller's project's networks (os-tenant-networks). */
  listProjectNetworks(ctx: RequestContext): Promise<Network[]>;
  /** 404 "Network not found". */
  getNetwork(ctx: RequestContext, id: string): Promise<Network>;

  listFloatingIps(ctx: RequestContext): Promise<FloatingIpView[]>;
  getFloatingIp(ctx: RequestContext, id: string): Promise<FloatingIpView>;
  /** From `pool` (name or id of an external network), `[neutron] default_floating_pool` when unset. */
  allocateFloatingIp(ctx: RequestContext, pool: string | undefined): Promise<FloatingIpView>;
  releaseFloatingIp(ctx: RequestContext, id: string): Promise<void>;
  floatingIpPools(ctx: RequestContext): Promise<Array<{ name: string }>>;
  associateFloatingIp(
    ctx: RequestContext,
    server: ServerRef,
    address: string,
    fixedAddress: string,
  ): Promise<void>;
  disassociateFloatingIp(ctx: RequestContext, server: ServerRef, address: string): Promise<void>;
  /** The floating IPs mapped to fixed IPs of `portIds` (for the server's `addresses`). */
  floatingIpsOfPorts(ctx: RequestContext, portIds: readonly string[]): Promise<FloatingMapping[]>;
}

/** A floating IP and the port's fixed IP it is mapped to. */
export interface FloatingMapping {
  readonly portId: string;
  readonly fixedIp: string;
  readonly floatingIp: string;
}
