import { floatingIpView, poolView } from './floating-ips';
import { endpointFromCatalog } from './keystone-session';
import { neutronErrorOf } from './neutron-errors';
import { queryString } from './neutron-client';
import {
  flatGroupId,
  flatNetwork,
  nameUuid,
  networkFromNeutron,
  osNetworkView,
  tenantNetworkView,
} from './networks';

describe('networks in nova-network terms', () => {
  const net = {
    id: 'n1',
    name: 'private',
    tenant_id: 'p1',
    mtu: 1450,
    subnets: ['s6', 's4b', 's4'],
    'provider:network_type': 'vlan',
    'provider:segmentation_id': 101,
  };
  const subnets = [
    { id: 's4', network_id: 'n1', cidr: '10.0.0.0/24', ip_version: 4, gateway_ip: '10.0.0.1' },
    {
      id: 's4b',
      network_id: 'n1',
      cidr: '10.1.0.0/23',
      ip_version: 4,
      gateway_ip: '10.1.0.1',
      dns_nameservers: ['1.1.1.1', '8.8.8.8'],
      enable_dhcp: true,
      allocation_pools: [{ start: '10.1.0.10', end: '10.1.1.200' }],
    },
    { id: 's6', network_id: 'n1', cidr: '2001:db8::/64', ip_version: 6, gateway_ip: '2001:db8::1' },
    { id: 'x', network_id: 'other', cidr: '192.168.0.0/24', ip_version: 4, gateway_ip: null },
  ];

  it("takes the network's first IPv4 and IPv6 subnets, in the network's order", () => {
    const n = networkFromNeutron(net, subnets);
    expect(osNetworkView(n, false)).toEqual({
      id: 'n1',
      label: 'private',
      cidr: '10.1.0.0/23',
      netmask: '255.255.254.0',
      gateway: '10.1.0.1',
      broadcast: '10.1.1.255',
      dns1: '1.1.1.1',
      dns2: '8.8.8.8',
      cidr_v6: '2001:db8::/64',
      gateway_v6: '2001:db8::1',
      netmask_v6: '64',
    });
    expect(osNetworkView(n, true)).toMatchObject({
      project_id: 'p1',
      vlan: 101,
      mtu: 1450,
      dhcp_start: '10.1.0.10',
      enable_dhcp: true,
      deleted: false,
    });
    expect(tenantNetworkView(n)).toEqual({ id: 'n1', label: 'private', cidr: '10.1.0.0/23' });
  });

  it('a network without subnets has nulls (and Nova\'s "None" cidr in os-tenant-networks)', () => {
    const n = networkFromNeutron({ id: 'n2', name: 'bare' }, []);
    expect(osNetworkView(n, false)).toMatchObject({ cidr: null, gateway: null, cidr_v6: null });
    expect(tenantNetworkView(n)).toEqual({ id: 'n2', label: 'bare', cidr: 'None' });
  });

  it('the flat network: gateway .1, addresses from .2, a stable name-based id', () => {
    const n = flatNetwork('private', '10.0.0.0/16');
    expect(n).toMatchObject({
      id: '6850a69f-2ce1-5ced-a3fc-9d5829710dd8',
      label: 'private',
      cidr: '10.0.0.0/16',
      netmask: '255.255.0.0',
      gateway: '10.0.0.1',
      broadcast: '10.0.255.255',
      dhcp_start: '10.0.0.2',
    });
    expect(flatGroupId('p1')).not.toBe(flatGroupId('p2'));
    expect(flatGroupId('p1')).toBe(flatGroupId('p1', 'default'));
  });

  it('name-based UUIDs are RFC 4122 version 5 (as Python uuid5)', () => {
    expect(nameUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });
});

describe('floating IPs', () => {
  const fip = {
    id: 'f1',
    floating_ip_address: '203.0.113.5',
    floating_network_id: 'ext',
    fixed_ip_address: '10.0.0.7',
    port_id: 'port1',
  };

  it('pool is the network name (or id), instance the port device', () => {
    expect(
      floatingIpView(fip, {
        networkNames: new Map([['ext', 'public']]),
        portDevices: new Map([['port1', 'server-1']]),
      }),
    ).toEqual({
      id: 'f1',
      ip: '203.0.113.5',
      pool: 'public',
      fixed_ip: '10.0.0.7',
      instance_id: 'server-1',
    });
    expect(
      floatingIpView(
        { ...fip, port_id: null, fixed_ip_address: null },
        { networkNames: new Map([['ext', '']]), portDevices: new Map() },
      ),
    ).toEqual({ id: 'f1', ip: '203.0.113.5', pool: 'ext', fixed_ip: null, instance_id: null });
    expect(
      floatingIpView(
        { ...fip, port_details: { device_id: 'server-2' } },
        { networkNames: new Map(), portDevices: new Map() },
      ).instance_id,
    ).toBe('server-2');
    expect(poolView({ id: 'ext', name: '' })).toEqual({ name: 'ext' });
  });
});

describe('the catalog, errors and queries', () => {
  const catalog = [
    {
      type: 'network',
      endpoints: [
        { interface: 'public', region_id: 'RegionOne', url: 'http://pub:9696/' },
        { interface: 'internal', region_id: 'RegionOne', url: 'http://int:9696' },
        { interface: 'public', region_id: 'Two', url: 'http://two:9696' },
      ],
    },
    { type: 'image', endpoints: [{ interface: 'internal', region_id: 'Two', url: 'http://g' }] },
  ];

  it('picks the first wanted interface in the region', () => {
    expect(endpointFromCatalog(catalog, 'network', ['internal', 'public'], 'RegionOne')).toBe(
      'http://int:9696',
    );
    expect(endpointFromCatalog(catalog, 'network', ['internal', 'public'], 'Two')).toBe(
      'http://two:9696',
    );
    expect(endpointFromCatalog(catalog, 'network', ['public'], undefined)).toBe('http://pub:9696');
    expect(endpointFromCatalog(catalog, 'network', ['admin'], undefined)).toBeNull();
    expect(endpointFromCatalog(catalog, 'network', ['public'], 'Three')).toBeNull();
  });

  it("reads Neutron's error bodies", () => {
    const e = neutronErrorOf(
      404,
      JSON.stringify({
        NeutronError: {
          type: 'SecurityGroupNotFound',
          message: 'Security group x does not exist',
          detail: '',
        },
      }),
    );
    expect([e.status, e.type, e.detail]).toEqual([
      404,
      'SecurityGroupNotFound',
      'Security group x does not exist',
    ]);
    expect(
      neutronErrorOf(401, '<html><body><h1>401 Unauthorized</h1>go away</body></html>').detail,
    ).toBe('401 Unauthorized go away');
  });

  it('repeats keys for lists', () => {
    expect(queryString({ id: ['a', 'b'], name: 'x y', skip: undefined })).toBe(
      '?id=a&id=b&name=x+y',
    );
    expect(queryString({})).toBe('');
  });
});
