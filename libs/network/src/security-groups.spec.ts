import {
  checkGroupProperty,
  checkSecurityGroupId,
  fromBody,
  groupFromNeutron,
  groupView,
  neutronRuleBody,
  newIngressRule,
  parseCidr,
  ruleExists,
  remoteGroupIds,
  ruleFromNeutron,
  type NeutronRule,
} from './security-groups';

const G = '11111111-1111-4111-8111-111111111111';
const R = '22222222-2222-4222-8222-222222222222';

const rule = (fields: Partial<NeutronRule>): NeutronRule => ({
  id: 'r1',
  security_group_id: G,
  direction: 'ingress',
  protocol: null,
  port_range_min: null,
  port_range_max: null,
  remote_ip_prefix: null,
  remote_group_id: null,
  ...fields,
});

describe('Neutron rules in Nova terms', () => {
  it.each([
    ['tcp', null, null, 1, 65535],
    ['UDP', null, null, 1, 65535],
    ['icmp', null, null, -1, -1],
    ['tcp', 22, 22, 22, 22],
    ['icmp', 8, null, 8, null],
    [null, null, null, null, null],
  ])('%s %s-%s is %s-%s', (protocol, min, max, from, to) => {
    const nova = ruleFromNeutron(
      rule({ protocol, port_range_min: min, port_range_max: max, remote_ip_prefix: '10.0.0.0/8' }),
    );
    expect(nova).toEqual({
      id: 'r1',
      parent_group_id: G,
      protocol,
      from_port: from,
      to_port: to,
      group_id: null,
      cidr: '10.0.0.0/8',
    });
  });

  it('keeps ingress rules only, and shows remote groups by name (unknown ones dropped)', () => {
    const group = groupFromNeutron({
      id: G,
      name: 'web',
      description: null,
      tenant_id: 'p1',
      security_group_rules: [
        rule({ id: 'in', protocol: 'tcp', port_range_min: 80, port_range_max: 80 }),
        rule({ id: 'out', direction: 'egress' }),
        rule({ id: 'peer', remote_group_id: R }),
        rule({ id: 'lost', remote_group_id: 'gone' }),
      ],
    });
    expect(group.rules.map((r) => r.id)).toEqual(['in', 'peer', 'lost']);
    expect(remoteGroupIds([group])).toEqual([R, 'gone']);
    const view = groupView(group, new Map([[R, { name: 'db', tenant_id: 'p2' }]]));
    expect(view).toEqual({
      id: G,
      name: 'web',
      description: null,
      tenant_id: 'p1',
      rules: [
        {
          id: 'in',
          parent_group_id: G,
          ip_protocol: 'tcp',
          from_port: 80,
          to_port: 80,
          ip_range: { cidr: null },
          group: {},
        },
        {
          id: 'peer',
          parent_group_id: G,
          ip_protocol: null,
          from_port: null,
          to_port: null,
          ip_range: {},
          group: { name: 'db', tenant_id: 'p2' },
        },
      ],
    });
  });
});

describe('rule requests (Nova messages)', () => {
  it('a CIDR rule needs protocol and ports; the CIDR defaults to 0.0.0.0/0', () => {
    expect(newIngressRule({ ip_protocol: 'tcp', from_port: '22', to_port: 22 })).toEqual({
      cidr: '0.0.0.0/0',
      protocol: 'tcp',
      from_port: 22,
      to_port: 22,
    });
    expect(newIngressRule({ cidr: '10.0.0.0/8' })).toBeNull();
    expect(newIngressRule({ ip_protocol: 'tcp', from_port: 1 })).toBeNull();
  });

  it('a group rule without ports opens them all', () => {
    expect(newIngressRule({ group_id: R, ip_protocol: 'TCP' })).toEqual({
      group_id: R,
      protocol: 'TCP',
      from_port: 1,
      to_port: 65535,
    });
    expect(newIngressRule({ group_id: R, ip_protocol: 'icmp' })).toMatchObject({
      from_port: -1,
      to_port: -1,
    });
    expect(newIngressRule({ group_id: R })).toEqual({ group_id: R });
  });

  it.each([
    [
      { ip_protocol: 'tcp', from_port: 0, to_port: 5 },
      'Invalid port range 0:5. Valid TCP ports should be between 1-65535',
    ],
    [
      { ip_protocol: 'udp', from_port: 9, to_port: 5 },
      'Invalid port range 9:5. Former value cannot be greater than the later',
    ],
    [
      { ip_protocol: 'icmp', from_port: -2, to_port: 0 },
      'Invalid port range -2:0. For ICMP, the type:code must be valid',
    ],
    [
      { ip_protocol: 'icmp', from_port: 'x', to_port: 0 },
      'Invalid input received: Type and Code must be integers for ICMP protocol type',
    ],
    [
      { ip_protocol: 'tcp', from_port: 1.5, to_port: 'y' },
      'Invalid input received: To and From ports must be integers',
    ],
    [{ ip_protocol: 'sctp', from_port: 1, to_port: 2 }, 'Invalid IP protocol sctp.'],
  ])('%j: %s', (request, message) => {
    expect(() => newIngressRule(request)).toThrow(message);
  });

  it('parses CIDRs as Nova does', () => {
    expect(parseCidr(undefined)).toBe('0.0.0.0/0');
    expect(parseCidr('')).toBe('0.0.0.0/0');
    expect(parseCidr('10.0.0.0%2F8')).toBe('10.0.0.0/8');
    expect(parseCidr('::/0')).toBe('::/0');
    expect(() => parseCidr('10.0.0.1')).toThrow('10.0.0.1 is not a valid IP network.');
    expect(() => parseCidr('10.0.0.0/0')).toThrow('Bad prefix for network in cidr 10.0.0.0/0');
  });

  it('makes Neutron ingress rules: ethertype from the CIDR, no range for -1', () => {
    expect(
      neutronRuleBody({ cidr: 'fd00::/64', protocol: 'icmp', from_port: -1, to_port: -1 }, G),
    ).toEqual({
      direction: 'ingress',
      ethertype: 'IPv6',
      protocol: 'icmp',
      remote_ip_prefix: 'fd00::/64',
      remote_group_id: null,
      security_group_id: G,
    });
    expect(neutronRuleBody({ group_id: R, protocol: 'tcp', from_port: 1, to_port: 80 }, G)).toEqual(
      {
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        remote_ip_prefix: null,
        remote_group_id: R,
        security_group_id: G,
        port_range_min: 1,
        port_range_max: 80,
      },
    );
  });
});

describe('bodies and properties', () => {
  it("checks names and descriptions with oslo's messages", () => {
    expect(checkGroupProperty('  web ', 'name')).toBe('  web '); // checked stripped, kept as given
    expect(() => checkGroupProperty('   ', 'name')).toThrow('name has 0 characters, less than 1.');
    expect(() => checkGroupProperty('é'.repeat(256), 'description')).toThrow(
      'description has 256 characters, more than 255.',
    );
    expect(() => checkGroupProperty(5, 'name')).toThrow(
      'Security group name is not a string or unicode',
    );
  });

  it("takes the body's member as Nova's _from_body", () => {
    expect(() => fromBody({}, 'security_group')).toThrow("The request body can't be empty");
    expect(() => fromBody(undefined, 'security_group')).toThrow("The request body can't be empty");
    expect(() => fromBody({ x: 1 }, 'security_group')).toThrow('Missing parameter security_group');
    expect(fromBody({ security_group: { name: 'a' } }, 'security_group')).toEqual({ name: 'a' });
  });

  it('ids are UUIDs', () => {
    expect(checkSecurityGroupId(G.toUpperCase())).toBe(G.toUpperCase());
    expect(() => checkSecurityGroupId('1')).toThrow('Security group id should be uuid');
    expect(() => checkSecurityGroupId(undefined)).toThrow('Security group id should be uuid');
  });

  it("finds a rule the group has already (Nova's _rule_exists), protocol in any case", () => {
    const group = {
      id: 'g',
      name: 'web',
      description: null,
      project_id: 'p',
      rules: [
        {
          id: 'r1',
          parent_group_id: 'g',
          protocol: 'tcp',
          from_port: 22,
          to_port: 22,
          group_id: null,
          cidr: '0.0.0.0/0',
        },
      ],
    };
    expect(
      ruleExists(group, { cidr: '0.0.0.0/0', protocol: 'TCP', from_port: 22, to_port: 22 }),
    ).toBe(true);
    expect(
      ruleExists(group, { cidr: '0.0.0.0/0', protocol: 'tcp', from_port: 80, to_port: 80 }),
    ).toBe(false);
    expect(ruleExists(group, { group_id: 'g', protocol: 'tcp', from_port: 22, to_port: 22 })).toBe(
      false,
    );
  });
});
