import { Invalid } from '@nova/common';
import ipaddr from 'ipaddr.js';

/** Neutron's security group rule (the fields we read). */
export interface NeutronRule {
  readonly id: string;
  readonly security_group_id: string;
  readonly direction: string;
  readonly ethertype?: string;
  readonly protocol: string | null;
  readonly port_range_min: number | null;
  readonly port_range_max: number | null;
  readonly remote_ip_prefix: string | null;
  readonly remote_group_id: string | null;
}

export interface NeutronSecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly tenant_id?: string;
  readonly project_id?: string;
  readonly security_group_rules?: readonly NeutronRule[];
}

/** A rule the way Nova's API code sees it (nova-network's columns). */
export interface SecurityGroupRule {
  readonly id: string;
  readonly parent_group_id: string;
  readonly protocol: string | null;
  readonly from_port: number | null;
  readonly to_port: number | null;
  readonly group_id: string | null;
  readonly cidr: string | null;
}

export interface SecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly project_id: string;
  /** Ingress rules only: Nova's API has no egress rules. */
  readonly rules: readonly SecurityGroupRule[];
}

/** Who a rule's remote group is, as rules show it. */
export interface GroupRef {
  readonly name: string | null;
  readonly tenant_id: string | null;
}

/** The API's view of a rule (os-security-groups, os-security-group-rules). */
export interface SecurityGroupRuleView {
  id: string;
  parent_group_id: string;
  ip_protocol: string | null;
  from_port: number | null;
  to_port: number | null;
  ip_range: { cidr?: string | null };
  group: { name?: string | null; tenant_id?: string | null };
}

export interface SecurityGroupView {
  id: string;
  name: string;
  description: string | null;
  tenant_id: string;
  rules: SecurityGroupRuleView[];
}

/**
 * Neutron's rule in Nova's terms. A rule with a protocol and no port range
 * covers every port (1-65535 for TCP/UDP, -1 for the rest).
 */
export function ruleFromNeutron(rule: NeutronRule): SecurityGroupRule {
  let from = rule.port_range_min ?? null;
  let to = rule.port_range_max ?? null;
  if (rule.protocol && from === null && to === null) {
    const all = ['TCP', 'UDP'].includes(rule.protocol.toUpperCase());
    from = all ? 1 : -1;
    to = all ? 65535 : -1;
  }
  return {
    id: rule.id,
    parent_group_id: rule.security_group_id,
    protocol: rule.protocol,
    from_port: from,
    to_port: to,
    group_id: rule.remote_group_id ?? null,
    cidr: rule.remote_ip_prefix ?? null,
  };
}

export function groupFromNeutron(group: NeutronSecurityGroup): SecurityGroup {
  return {
    id: group.id,
    name: group.name,
    description: group.description ?? null,
    project_id: group.tenant_id ?? group.project_id ?? '',
    rules: (group.security_group_rules ?? [])
      .filter((r) => r.direction === 'ingress')
      .map(ruleFromNeutron),
  };
}

/**
 * A rule as the API shows it: a remote group by name and project (from
 * `groups`, by id; a rule whose group is unknown is dropped, as Nova does
 * when the group went away meanwhile: null), else the CIDR.
 */
export function ruleView(
  rule: SecurityGroupRule,
  groups: ReadonlyMap<string, GroupRef>,
): SecurityGroupRuleView | null {
  const view: SecurityGroupRuleView = {
    id: rule.id,
    parent_group_id: rule.parent_group_id,
    ip_protocol: rule.protocol,
    from_port: rule.from_port,
    to_port: rule.to_port,
    ip_range: {},
    group: {},
  };
  if (rule.group_id) {
    const ref = groups.get(rule.group_id);
    if (!ref) {
      return null;
    }
    view.group = { name: ref.name, tenant_id: ref.tenant_id };
  } else {
    view.ip_range = { cidr: rule.cidr };
  }
  return view;
}

export function groupView(
  group: SecurityGroup,
  groups: ReadonlyMap<string, GroupRef>,
): SecurityGroupView {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    tenant_id: group.project_id,
    rules: group.rules
      .map((r) => ruleView(r, groups))
      .filter((r): r is SecurityGroupRuleView => r !== null),
  };
}

/** The remote group ids of rules, for looking their names up. */
export function remoteGroupIds(groups: readonly SecurityGroup[]): string[] {
  return [...new Set(groups.flatMap((g) => g.rules.map((r) => r.group_id)).filter(isString))];
}

function isString(v: string | null): v is string {
  return typeof v === 'string';
}

/** Nova's validate_id: security group (and rule) ids are UUIDs. */
export function checkSecurityGroupId(id: unknown): string {
  if (typeof id !== 'string' || !isUuidLike(id)) {
    throw new Invalid('Security group id should be uuid');
  }
  return id;
}

/** oslo's is_uuid_like: any case, with or without dashes and braces. */
export function isUuidLike(value: string): boolean {
  const hex = value.replace(/[{}-]/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex);
}

/** The body member `key` of an old-style (schema-less) body: Nova's _from_body. */
export function fromBody(body: unknown, key: string): Record<string, unknown> {
  if (body === null || body === undefined || (typeof body === 'object' && isEmpty(body))) {
    throw new Invalid("The request body can't be empty");
  }
  const value = typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  if (value === null || value === undefined) {
    throw new Invalid(`Missing parameter ${key}`);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Invalid(`Invalid input for field/attribute ${key}.`);
  }
  return value as Record<string, unknown>;
}

function isEmpty(body: object): boolean {
  return Array.isArray(body) ? body.length === 0 : Object.keys(body).length === 0;
}

/**
 * A group's name or description: a string of 1 to 255 characters once
 * stripped (Nova's validate_property with oslo's check_string_length messages).
 */
export function checkGroupProperty(value: unknown, property: 'name' | 'description'): string {
  if (typeof value !== 'string') {
    throw new Invalid(`Security group ${property} is not a string or unicode`);
  }
  const stripped = value.trim();
  const length = [...stripped].length;
  if (length < 1) {
    throw new Invalid(`${property} has ${length} characters, less than 1.`);
  }
  if (length > 255) {
    throw new Invalid(`${property} has ${length} characters, more than 255.`);
  }
  // Checked stripped, kept as given (Nova's validate_property; Tempest creates ' a b ').
  return value;
}

/** Nova's _rule_exists: the group has an ingress rule with the same remote, ports and protocol. */
export function ruleExists(group: SecurityGroup, rule: NewRule): boolean {
  const lower = (p: string | null | undefined) => (p ?? null)?.toLowerCase() ?? null;
  return group.rules.some(
    (r) =>
      (r.group_id ?? null) === (rule.group_id ?? null) &&
      (r.cidr ?? null) === (rule.cidr ?? null) &&
      (r.from_port ?? null) === (rule.from_port ?? null) &&
      (r.to_port ?? null) === (rule.to_port ?? null) &&
      lower(r.protocol) === lower(rule.protocol),
  );
}

/** What os-security-group-rules create asks, before validation. */
export interface RuleRequest {
  readonly ip_protocol?: unknown;
  readonly from_port?: unknown;
  readonly to_port?: unknown;
  readonly cidr?: unknown;
  readonly group_id?: string | null;
}

/** A validated ingress rule: a CIDR or a remote group, and protocol and ports when given. */
export interface NewRule {
  readonly cidr?: string;
  readonly group_id?: string;
  readonly protocol?: string;
  readonly from_port?: number;
  readonly to_port?: number;
}

/** Nova's parse_cidr: unset is 0.0.0.0/0; a bad one is 400; 1.2.3.4/0 too ("Bad prefix"). */
export function parseCidr(cidr: unknown): string {
  if (cidr === undefined || cidr === null || cidr === '') {
    return '0.0.0.0/0';
  }
  let text: string;
  try {
    text = decodeURIComponent(asText(cidr));
  } catch {
    throw new Invalid(`${asText(cidr)} is not a valid IP network.`);
  }
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    throw new Invalid(`${text} is not a valid IP network.`);
  }
  const [address, prefix] = parsed;
  const unspecified =
    address.toNormalizedString() === (address.kind() === 'ipv4' ? '0.0.0.0' : '0:0:0:0:0:0:0:0');
  if (prefix === 0 && !unspecified) {
    throw new Invalid(`Bad prefix for network in cidr ${text}`);
  }
  return text;
}

/**
 * Nova's _new_ingress_rule: the protocol (tcp, udp, icmp), the ports as
 * integers within their range; a group rule without ports opens every port;
 * a CIDR rule without protocol and ports is not a rule (null: Nova's
 * "Not enough parameters").
 */
export function newIngressRule(request: RuleRequest): NewRule | null {
  let from = request.from_port ?? null;
  let to = request.to_port ?? null;
  const protocol = request.ip_protocol ?? null;
  let base: NewRule;
  if (request.group_id) {
    base = { group_id: request.group_id };
    const upper = typeof protocol === 'string' ? protocol.toUpperCase() : '';
    if (from === null && to === null) {
      if (upper === 'ICMP') {
        from = -1;
        to = -1;
      } else if (upper === 'TCP' || upper === 'UDP') {
        from = 1;
        to = 65535;
      }
    }
  } else {
    base = { cidr: parseCidr(request.cidr) };
  }
  if (!protocol || from === null || to === null) {
    return request.group_id ? base : null;
  }
  const name = asText(protocol);
  const upper = name.toUpperCase();
  const fromPort = toInteger(from);
  const toPort = toInteger(to);
  if (fromPort === null || toPort === null) {
    throw new Invalid(
      upper === 'ICMP'
        ? 'Invalid input received: Type and Code must be integers for ICMP protocol type'
        : 'Invalid input received: To and From ports must be integers',
    );
  }
  if (!['TCP', 'UDP', 'ICMP'].includes(upper)) {
    throw new Invalid(`Invalid IP protocol ${name}.`);
  }
  const range = (msg: string) => new Invalid(`Invalid port range ${fromPort}:${toPort}. ${msg}`);
  if (upper !== 'ICMP' && fromPort > toPort) {
    throw range('Former value cannot be greater than the later');
  }
  if (upper !== 'ICMP' && (fromPort < 1 || toPort > 65535)) {
    throw range(`Valid ${upper} ports should be between 1-65535`);
  }
  if (upper === 'ICMP' && (fromPort < -1 || fromPort > 255 || toPort < -1 || toPort > 255)) {
    throw range('For ICMP, the type:code must be valid');
  }
  return { ...base, protocol: name, from_port: fromPort, to_port: toPort };
}

/** Python's int() of an API value: integers, integral strings; else null. */
function toInteger(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? value : Math.trunc(value);
  }
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) {
    return Number.parseInt(value, 10);
  }
  return null;
}

/** The Neutron rule for a Nova rule: always ingress; -1 ports are no port range. */
export function neutronRuleBody(rule: NewRule, parentGroupId: string): Record<string, unknown> {
  const v6 = rule.cidr !== undefined && ipaddr.parseCIDR(rule.cidr)[0].kind() === 'ipv6';
  return {
    direction: 'ingress',
    ethertype: v6 ? 'IPv6' : 'IPv4',
    protocol: rule.protocol ?? null,
    remote_ip_prefix: rule.cidr ?? null,
    remote_group_id: rule.group_id ?? null,
    security_group_id: parentGroupId,
    ...(rule.from_port !== undefined && rule.from_port !== -1
      ? { port_range_min: rule.from_port }
      : {}),
    ...(rule.to_port !== undefined && rule.to_port !== -1 ? { port_range_max: rule.to_port } : {}),
  };
}

/** A request value as text (strings as they are, anything else as JSON). */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
