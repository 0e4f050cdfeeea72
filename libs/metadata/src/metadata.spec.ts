import {
  configDriveFiles,
  idFromInstanceName,
  isRoot,
  lookupMetadata,
  networkData,
  rootListing,
  type GuestInstance,
  type MetadataAnswer,
  type MetadataOptions,
} from '.';

const KEY = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC demo@host';

const guest: GuestInstance = {
  uuid: '3f0c5c6e-8a65-4b43-9c57-1d2e3f4a5b6c',
  id: 42,
  name: 'web 1',
  hostname: 'web-1',
  availabilityZone: 'az1',
  projectId: 'demo',
  launchIndex: 0,
  reservationId: 'r-abcdefgh',
  keyName: 'demo',
  keyData: KEY,
  userData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
  metadata: { role: 'web' },
  securityGroups: ['default', 'web'],
  flavorName: 'm1.tiny',
  imageId: '155d900f-4e14-4e4c-a73d-069cbf4541e6',
  rootDeviceName: '/dev/vda',
  ephemeralGb: 1,
  vifs: [
    {
      network: 'private',
      address: '10.0.3.7',
      mac: 'fa:16:3e:01:02:03',
      id: '0b5a1e7c-2f7e-4c8d-9d3b-5f1b2c3d4e5f',
      network_id: 'a3a6a1f8-1111-5222-8333-444455556666',
      cidr: '10.0.0.0/16',
      gateway: '10.0.0.1',
    },
  ],
};
const options: MetadataOptions = { dhcpDomain: 'novalocal', vendorData: {} };

function body(answer: MetadataAnswer | null): string {
  if (!answer || answer.kind !== 'data') {
    throw new Error(`no data: ${JSON.stringify(answer)}`);
  }
  return answer.body.toString();
}
const get = (path: string, g: GuestInstance = guest) => lookupMetadata(g, path, options);
const json = (path: string, g: GuestInstance = guest) =>
  JSON.parse(body(get(path, g))) as Record<string, any>;

describe('the OpenStack tree', () => {
  it('lists the versions, then latest', () => {
    expect(body(get('/openstack')).split('\n')).toEqual([
      '2012-08-10',
      '2013-04-04',
      '2013-10-17',
      '2015-10-15',
      '2016-06-30',
      '2016-10-06',
      '2017-02-22',
      '2018-08-27',
      '2020-10-14',
      'latest',
    ]);
  });

  it("lists a version's files as that version has them (user_data only when there is some)", () => {
    expect(body(get('/openstack/latest/'))).toBe(
      'meta_data.json\nuser_data\npassword\nvendor_data.json\nnetwork_data.json\nvendor_data2.json',
    );
    expect(body(get('/openstack/2012-08-10', { ...guest, userData: null }))).toBe('meta_data.json');
    expect(get('/openstack/2011-01-01')).toBeNull();
  });

  it('meta_data.json has what Nova puts there, JSON typed', () => {
    const answer = get('/openstack/latest/meta_data.json');
    expect(answer).toMatchObject({ kind: 'data', contentType: 'application/json' });
    const md = json('/openstack/latest/meta_data.json');
    expect(md).toEqual({
      uuid: guest.uuid,
      meta: { role: 'web' },
      public_keys: { demo: KEY },
      keys: [{ name: 'demo', type: 'ssh', data: KEY }],
      hostname: 'web-1.novalocal',
      name: 'web 1',
      launch_index: 0,
      availability_zone: 'az1',
      random_seed: expect.any(String),
      project_id: 'demo',
      devices: [],
      dedicated_cpus: [],
    });
    expect(Buffer.from(md['random_seed'] as string, 'base64')).toHaveLength(512);
    expect(md).not.toHaveProperty('admin_pass'); // only a config drive tells it
  });

  it('older versions have fewer fields; no key and no metadata leave theirs out', () => {
    const folsom = json('/openstack/2012-08-10/meta_data.json', {
      ...guest,
      keyName: null,
      keyData: null,
      metadata: {},
    });
    expect(Object.keys(folsom)).toEqual([
      'uuid',
      'hostname',
      'name',
      'launch_index',
      'availability_zone',
    ]);
    const x509 = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(json('/openstack/latest/meta_data.json', { ...guest, keyData: x509 })['keys']).toEqual([
      { name: 'demo', type: 'x509', data: x509 },
    ]);
    expect(json('/openstack/latest/meta_data.json', { ...guest, hostname: 'h' })['hostname']).toBe(
      'h.novalocal',
    );
    expect(
      JSON.parse(
        body(
          lookupMetadata(guest, '/openstack/latest/meta_data.json', { ...options, dhcpDomain: '' }),
        ),
      )['hostname'],
    ).toBe('web-1');
  });

  it('user_data is the decoded bytes; 404 when the server has none', () => {
    expect(body(get('/openstack/latest/user_data'))).toBe('#!/bin/sh\necho hi\n');
    expect(get('/openstack/latest/user_data', { ...guest, userData: null })).toBeNull();
  });

  it('vendor data is {} (and {"static": {}}) by default, the file when configured', () => {
    expect(json('/openstack/latest/vendor_data.json')).toEqual({});
    expect(json('/openstack/latest/vendor_data2.json')).toEqual({ static: {} });
    const vendor = { ...options, vendorData: { cloud: 'ours' } };
    expect(
      JSON.parse(body(lookupMetadata(guest, '/openstack/latest/vendor_data.json', vendor))),
    ).toEqual({ cloud: 'ours' });
    expect(get('/openstack/2013-04-04/vendor_data.json')).toBeNull();
    expect(get('/openstack/2015-10-15/vendor_data2.json')).toBeNull();
  });

  it('password is the password handler from Grizzly on', () => {
    expect(get('/openstack/latest/password')).toEqual({ kind: 'password' });
    expect(get('/openstack/2013-04-04/password')).toEqual({ kind: 'password' });
    expect(get('/openstack/2012-08-10/password')).toBeNull();
  });

  it('personality content is not served by the metadata service', () => {
    expect(get('/openstack/content/0000')).toBeNull();
  });
});

describe('network_data.json', () => {
  it('a VIF with its subnet: a static address with the default route', () => {
    expect(networkData(guest.vifs)).toEqual({
      links: [
        {
          id: 'tap0b5a1e7c-2f',
          vif_id: guest.vifs[0].id,
          type: 'bridge',
          mtu: null,
          ethernet_mac_address: 'fa:16:3e:01:02:03',
        },
      ],
      networks: [
        {
          id: 'network0',
          type: 'ipv4',
          link: 'tap0b5a1e7c-2f',
          ip_address: '10.0.3.7',
          netmask: '255.255.0.0',
          routes: [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.0.0.1' }],
          network_id: 'a3a6a1f8-1111-5222-8333-444455556666',
          services: [],
        },
      ],
      services: [],
    });
  });

  it('a VIF without its subnet is left to DHCP; none at all is empty lists', () => {
    const data = networkData([{ network: 'x', address: '10.1.0.5', mac: 'fa:16:3e:aa:bb:cc' }]);
    expect(data.links[0]).toMatchObject({ id: 'tapfa163eaabbcc', vif_id: null });
    expect(data.networks[0]).toEqual({
      id: 'network0',
      link: 'tapfa163eaabbcc',
      network_id: null,
      type: 'ipv4_dhcp',
    });
    expect(networkData([])).toEqual({ links: [], networks: [], services: [] });
  });
});

describe('the EC2 tree', () => {
  it('/ and /ec2 list the EC2 versions', () => {
    expect(rootListing()).toBe(
      '1.0\n2007-01-19\n2007-03-01\n2007-08-29\n2007-10-10\n2007-12-15\n2008-02-01\n2008-09-01\n2009-04-04\nlatest',
    );
    expect(isRoot('/')).toBe(true);
    expect(isRoot('//')).toBe(true);
    expect(isRoot('/latest')).toBe(false);
    expect(body(get('/ec2'))).toBe(rootListing());
  });

  it('a version lists meta-data/ and user-data', () => {
    expect(body(get('/latest'))).toBe('meta-data/\nuser-data');
    expect(body(get('/2009-04-04/', { ...guest, userData: null }))).toBe('meta-data/');
    expect(body(get('/ec2/latest/user-data'))).toBe('#!/bin/sh\necho hi\n');
    expect(get('/latest/user-data', { ...guest, userData: null })).toBeNull();
  });

  it('meta-data/ lists its entries sorted, directories with a slash', () => {
    expect(body(get('/latest/meta-data/')).split('\n')).toEqual([
      'ami-id',
      'ami-launch-index',
      'ami-manifest-path',
      'block-device-mapping/',
      'hostname',
      'instance-action',
      'instance-id',
      'instance-type',
      'local-hostname',
      'local-ipv4',
      'placement/',
      'public-hostname',
      'public-ipv4',
      'public-keys/',
      'reservation-id',
      'security-groups',
    ]);
    expect(body(get('/1.0/meta-data')).split('\n')).toEqual([
      'ami-id',
      'ami-launch-index',
      'ami-manifest-path',
      'hostname',
      'instance-id',
      'local-ipv4',
      'public-keys/',
      'reservation-id',
      'security-groups',
    ]);
  });

  it('answers each value as Nova does', () => {
    const v = (p: string) => body(get(`/latest/meta-data/${p}`));
    expect(v('instance-id')).toBe('i-0000002a');
    expect(v('ami-id')).toBe('ami-155d900f');
    expect(v('ami-launch-index')).toBe('0');
    expect(v('hostname')).toBe('web-1.novalocal');
    expect(v('local-ipv4')).toBe('10.0.3.7');
    expect(v('public-ipv4')).toBe('');
    expect(v('reservation-id')).toBe('r-abcdefgh');
    expect(v('security-groups')).toBe('default\nweb');
    expect(v('instance-type')).toBe('m1.tiny');
    expect(v('placement/')).toBe('availability-zone');
    expect(v('placement/availability-zone')).toBe('az1');
    expect(v('block-device-mapping')).toBe('ami\nephemeral0\nroot');
    expect(v('block-device-mapping/root')).toBe('/dev/vda');
    expect(v('block-device-mapping/ephemeral0')).toBe('/dev/vdb');
    expect(v('public-keys/')).toBe('0=demo');
    expect(v('public-keys/0/')).toBe('openssh-key');
    expect(v('public-keys/0/openssh-key')).toBe(KEY);
    expect(get('/latest/meta-data/public-keys/0/_name')).toBeNull();
    expect(get('/latest/meta-data/nothing')).toBeNull();
    expect(get('/latest/meta-data/hostname/more')).toBeNull();
    expect(get('/2010-01-01/meta-data')).toBeNull();
  });

  it("local-ipv4 is the requester's address when the guest has no fixed IPv4", () => {
    const bare = { ...guest, vifs: [] };
    expect(body(lookupMetadata(bare, '/latest/meta-data/local-ipv4', options, '192.0.2.9'))).toBe(
      '192.0.2.9',
    );
  });

  it('normalizes paths as Nova (dots, repeated and trailing slashes)', () => {
    expect(body(get('//latest//meta-data/./instance-id/'))).toBe('i-0000002a');
    expect(body(get('/latest/meta-data/placement/../instance-id'))).toBe('i-0000002a');
    expect(body(get('/openstack/latest/../latest/user_data'))).toBe('#!/bin/sh\necho hi\n');
  });

  it('the instance id comes from the hypervisor name', () => {
    expect(idFromInstanceName('instance-0000002a')).toBe(42);
    expect(idFromInstanceName(null)).toBe(0);
  });
});

describe('config drive files', () => {
  const files = configDriveFiles(
    guest,
    {
      ...options,
      skipEc2Versions:
        '1.0 2007-01-19 2007-03-01 2007-08-29 2007-10-10 2007-12-15 2008-02-01 2008-09-01'.split(
          ' ',
        ),
    },
    {
      adminPass: 'Secret123',
      files: [{ path: '/etc/motd', contents: Buffer.from('hello').toString('base64') }],
    },
  );
  const byPath = new Map(files.map((f) => [f.path, f.data]));
  const read = (path: string) => JSON.parse(byPath.get(path)!.toString()) as Record<string, any>;

  it("lays the trees out as Nova's drives do", () => {
    const paths = [...byPath.keys()];
    expect(paths).toEqual(
      expect.arrayContaining([
        'ec2/2009-04-04/meta-data.json',
        'ec2/2009-04-04/user-data',
        'ec2/latest/meta-data.json',
        'ec2/latest/user-data',
        'openstack/2012-08-10/meta_data.json',
        'openstack/2012-08-10/user_data',
        'openstack/latest/meta_data.json',
        'openstack/latest/user_data',
        'openstack/latest/vendor_data.json',
        'openstack/latest/network_data.json',
        'openstack/latest/vendor_data2.json',
        'openstack/content/0000',
      ]),
    );
    expect(paths.filter((p) => p.startsWith('ec2/'))).toHaveLength(4); // skipped versions left out
    expect(paths.some((p) => p.endsWith('/password'))).toBe(false);
    expect(paths).not.toContain('openstack/2013-04-04/vendor_data.json');
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('meta_data.json tells the admin password and the personality files', () => {
    const md = read('openstack/latest/meta_data.json');
    expect(md['admin_pass']).toBe('Secret123');
    expect(md['files']).toEqual([{ path: '/etc/motd', content_path: '/content/0000' }]);
    expect(byPath.get('openstack/content/0000')!.toString()).toBe('hello');
    expect(byPath.get('openstack/latest/user_data')!.toString()).toBe('#!/bin/sh\necho hi\n');
    expect(read('openstack/latest/network_data.json')['networks'][0]['ip_address']).toBe(
      '10.0.3.7',
    );
  });

  it("the EC2 meta-data is JSON without the listings' names", () => {
    const ec2 = read('ec2/latest/meta-data.json');
    expect(ec2['instance-id']).toBe('i-0000002a');
    expect(ec2['ami-launch-index']).toBe(0);
    expect(ec2['public-keys']).toEqual({ '0': { 'openssh-key': KEY } });
    expect(ec2['placement']).toEqual({ 'availability-zone': 'az1' });
  });
});
