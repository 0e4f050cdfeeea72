import type { ServerRecord, UnknownServer } from '@nova/servers';
import { ApiVersion } from '../../http/api-version';
import { hostId, isoTime, usageTime } from './formatting';
import { serverCreatedView } from './server-create.view';
import { linksFromBase } from './server-links';
import { serverView, type ServerShape, type ServerViewContext } from './server.view';
import { unknownServerView } from './unknown-server.view';

/*
 * Expected objects are copied from the reference samples (real Nova Zed
 * answers): 16-22, 50, 58, 59 and the create answers 14, 15, 57.
 */

const BASE = 'http://127.0.0.1:8774';
const links = linksFromBase(BASE);
const PROJECT = 'c398617eadc64b1d9a11e10d25593c1b';
const USER = 'd737b18eed4f4fc89ba70dbe92bda493';
const IMAGE = '88966aae-e51a-4e67-9794-936097a866a2';
const A = '5b3d066e-e175-43da-966a-14c63eded6f5';
const B = 'ee5a281c-9668-4cab-b4b2-2b6b5568d835';
const C = '414e8c79-8a90-4e44-8a71-fea27d187e32';
const TRACEBACK =
  'Traceback (most recent call last):\n  ...\nnova.exception.NoValidHost: No valid host was found. \n\n';

const tiny = {
  flavorid: '1',
  name: 'm1.tiny',
  vcpus: 1,
  memory_mb: 512,
  root_gb: 1,
  ephemeral_gb: 0,
  swap: 0,
  extra_specs: {},
};

const serverA: ServerRecord = {
  uuid: A,
  display_name: 'sample-srv-21',
  display_description: 'sample-srv-21',
  user_id: USER,
  project_id: PROJECT,
  image_ref: IMAGE,
  flavor: tiny,
  key_name: null,
  key_data: null,
  user_data: null,
  hostname: 'sample-srv-21',
  vm_state: 'active',
  task_state: null,
  power_state: 1,
  host: 'compute2',
  node: 'compute2',
  availability_zone: 'nova',
  access_ip_v4: null,
  access_ip_v6: null,
  config_drive: '',
  locked: false,
  locked_by: null,
  locked_reason: null,
  launch_index: 0,
  reservation_id: 'r-00d5pdfp',
  progress: 0,
  launched_at: new Date('2026-11-21T20:07:24Z'),
  terminated_at: null,
  created_at: new Date('2026-11-21T20:07:24Z'),
  updated_at: new Date('2026-11-21T20:07:24Z'),
  deleted: false,
  metadata: {},
  tags: [],
  addresses: {},
  fault: null,
  security_groups: [],
  instance_name: 'instance-00000037',
  root_device_name: '/dev/sda',
  cell_uuid: 'cell1',
  auto_disk_config: false,
  kernel_id: '',
  ramdisk_id: '',
  trusted_certs: null,
};

const serverB: ServerRecord = {
  ...serverA,
  uuid: B,
  display_name: 'sample-srv-latest',
  display_description: 'created by samples.py',
  key_name: 'sample-kp-imp',
  hostname: 'sample-srv-latest',
  host: 'compute1',
  node: 'compute1',
  reservation_id: 'r-5z3j55ki',
  launched_at: new Date('2026-11-21T20:07:25Z'),
  updated_at: new Date('2026-11-21T20:07:25Z'),
  metadata: { purpose: 'sample' },
  tags: ['sample'],
  instance_name: 'instance-00000035',
};

const serverC: ServerRecord = {
  ...serverA,
  uuid: C,
  display_name: 'sample-srv-novalidhost',
  display_description: null,
  flavor: { ...tiny, flavorid: 'sample-big', name: 'sample.big', memory_mb: 1000000 },
  hostname: 'sample-srv-novalidhost',
  vm_state: 'error',
  power_state: 0,
  host: null,
  node: null,
  availability_zone: null,
  reservation_id: 'r-r9i0cywh',
  progress: null,
  launched_at: null,
  created_at: new Date('2026-11-21T20:07:28Z'),
  updated_at: new Date('2026-11-21T20:07:28Z'),
  instance_name: 'instance-00000001',
  root_device_name: null,
  cell_uuid: '00000000-0000-0000-0000-000000000000',
  fault: {
    code: 500,
    message: 'No valid host was found. ',
    details: TRACEBACK,
    created: new Date('2026-11-21T20:07:28Z'),
  },
};

function ctx(version: string, shape: ServerShape, admin = false): ServerViewContext {
  return {
    version: ApiVersion.parse(version),
    links,
    shape,
    extendedAttributes: admin,
    isAdmin: admin,
    flavorExtraSpecs: true,
    ...(admin ? { hostStatus: (s: ServerRecord) => (s.host ? 'UP' : '') } : {}),
    serverGroups: [],
  };
}

const selfLinks = (id: string) => [
  { rel: 'self', href: `${BASE}/v2.1/servers/${id}` },
  { rel: 'bookmark', href: `${BASE}/servers/${id}` },
];
const imageView = {
  id: IMAGE,
  links: [{ rel: 'bookmark', href: `${BASE}/images/${IMAGE}` }],
};
const flavorLink = { id: '1', links: [{ rel: 'bookmark', href: `${BASE}/flavors/1` }] };
const flavorTiny = {
  vcpus: 1,
  ram: 512,
  disk: 1,
  ephemeral: 0,
  swap: 0,
  original_name: 'm1.tiny',
  extra_specs: {},
};

/** Sample 16: GET /servers/{A}, 2.1, member. */
const SAMPLE_16 = {
  id: A,
  name: 'sample-srv-21',
  status: 'ACTIVE',
  tenant_id: PROJECT,
  user_id: USER,
  metadata: {},
  hostId: '7047262591060524bbe48ded925354b9d338c64a105253e314f3215a',
  image: imageView,
  flavor: flavorLink,
  created: '2026-11-21T20:07:24Z',
  updated: '2026-11-21T20:07:24Z',
  addresses: {},
  accessIPv4: '',
  accessIPv6: '',
  links: selfLinks(A),
  'OS-DCF:diskConfig': 'MANUAL',
  progress: 0,
  'OS-EXT-AZ:availability_zone': 'nova',
  config_drive: '',
  key_name: null,
  'OS-SRV-USG:launched_at': '2026-11-21T20:07:24.000000',
  'OS-SRV-USG:terminated_at': null,
  'OS-EXT-STS:task_state': null,
  'OS-EXT-STS:vm_state': 'active',
  'OS-EXT-STS:power_state': 1,
  'os-extended-volumes:volumes_attached': [],
};

/** Sample 20, second entry: B at 2.1. */
const SAMPLE_20_B = {
  id: B,
  name: 'sample-srv-latest',
  status: 'ACTIVE',
  tenant_id: PROJECT,
  user_id: USER,
  metadata: { purpose: 'sample' },
  hostId: 'db5d6b472ad26a4cd78e98e1f6e388eb2122744aa0f521b944a0938f',
  image: imageView,
  flavor: flavorLink,
  created: '2026-11-21T20:07:24Z',
  updated: '2026-11-21T20:07:25Z',
  addresses: {},
  accessIPv4: '',
  accessIPv6: '',
  links: selfLinks(B),
  'OS-DCF:diskConfig': 'MANUAL',
  progress: 0,
  'OS-EXT-AZ:availability_zone': 'nova',
  config_drive: '',
  key_name: 'sample-kp-imp',
  'OS-SRV-USG:launched_at': '2026-11-21T20:07:25.000000',
  'OS-SRV-USG:terminated_at': null,
  'OS-EXT-STS:task_state': null,
  'OS-EXT-STS:vm_state': 'active',
  'OS-EXT-STS:power_state': 1,
  'os-extended-volumes:volumes_attached': [],
};

/** Sample 17: GET /servers/{B}, 2.93, member. */
const SAMPLE_17 = {
  id: B,
  name: 'sample-srv-latest',
  status: 'ACTIVE',
  tenant_id: PROJECT,
  user_id: USER,
  metadata: { purpose: 'sample' },
  hostId: 'db5d6b472ad26a4cd78e98e1f6e388eb2122744aa0f521b944a0938f',
  image: imageView,
  flavor: flavorTiny,
  created: '2026-11-21T20:07:24Z',
  updated: '2026-11-21T20:07:25Z',
  addresses: {},
  accessIPv4: '',
  accessIPv6: '',
  links: selfLinks(B),
  'OS-DCF:diskConfig': 'MANUAL',
  progress: 0,
  'OS-EXT-AZ:availability_zone': 'nova',
  config_drive: '',
  key_name: 'sample-kp-imp',
  'OS-SRV-USG:launched_at': '2026-11-21T20:07:25.000000',
  'OS-SRV-USG:terminated_at': null,
  'OS-EXT-STS:task_state': null,
  'OS-EXT-STS:vm_state': 'active',
  'OS-EXT-STS:power_state': 1,
  'os-extended-volumes:volumes_attached': [],
  locked: false,
  locked_reason: null,
  description: 'created by samples.py',
  tags: ['sample'],
  trusted_image_certificates: null,
  'OS-EXT-SRV-ATTR:hostname': 'sample-srv-latest',
  server_groups: [],
};

/** Sample 18: GET /servers/{B}, 2.93, admin. */
const SAMPLE_18 = {
  id: B,
  name: 'sample-srv-latest',
  status: 'ACTIVE',
  tenant_id: PROJECT,
  user_id: USER,
  metadata: { purpose: 'sample' },
  hostId: 'db5d6b472ad26a4cd78e98e1f6e388eb2122744aa0f521b944a0938f',
  image: imageView,
  flavor: flavorTiny,
  created: '2026-11-21T20:07:24Z',
  updated: '2026-11-21T20:07:25Z',
  addresses: {},
  accessIPv4: '',
  accessIPv6: '',
  links: selfLinks(B),
  'OS-DCF:diskConfig': 'MANUAL',
  progress: 0,
  'OS-EXT-AZ:availability_zone': 'nova',
  config_drive: '',
  key_name: 'sample-kp-imp',
  'OS-SRV-USG:launched_at': '2026-11-21T20:07:25.000000',
  'OS-SRV-USG:terminated_at': null,
  'OS-EXT-SRV-ATTR:host': 'compute1',
  'OS-EXT-SRV-ATTR:instance_name': 'instance-00000035',
  'OS-EXT-SRV-ATTR:hypervisor_hostname': 'compute1',
  'OS-EXT-SRV-ATTR:reservation_id': 'r-5z3j55ki',
  'OS-EXT-SRV-ATTR:launch_index': 0,
  'OS-EXT-SRV-ATTR:hostname': 'sample-srv-latest',
  'OS-EXT-SRV-ATTR:kernel_id': '',
  'OS-EXT-SRV-ATTR:ramdisk_id': '',
  'OS-EXT-SRV-ATTR:root_device_name': '/dev/sda',
  'OS-EXT-SRV-ATTR:user_data': null,
  'OS-EXT-STS:task_state': null,
  'OS-EXT-STS:vm_state': 'active',
  'OS-EXT-STS:power_state': 1,
  'os-extended-volumes:volumes_attached': [],
  host_status: 'UP',
  locked: false,
  locked_reason: null,
  description: 'created by samples.py',
  tags: ['sample'],
  trusted_image_certificates: null,
  server_groups: [],
};

/** Sample 21, first entry: A at 2.93, member. */
const SAMPLE_21_A = {
  ...SAMPLE_16,
  flavor: flavorTiny,
  locked: false,
  locked_reason: null,
  description: 'sample-srv-21',
  tags: [],
  trusted_image_certificates: null,
  'OS-EXT-SRV-ATTR:hostname': 'sample-srv-21',
};

/** Sample 22, first entry: A at 2.93, admin, all_tenants. */
const SAMPLE_22_A = {
  id: A,
  name: 'sample-srv-21',
  status: 'ACTIVE',
  tenant_id: PROJECT,
  user_id: USER,
  metadata: {},
  hostId: '7047262591060524bbe48ded925354b9d338c64a105253e314f3215a',
  image: imageView,
  flavor: flavorTiny,
  created: '2026-11-21T20:07:24Z',
  updated: '2026-11-21T20:07:24Z',
  addresses: {},
  accessIPv4: '',
  accessIPv6: '',
  links: selfLinks(A),
  'OS-DCF:diskConfig': 'MANUAL',
  progress: 0,
  'OS-EXT-AZ:availability_zone': 'nova',
  config_drive: '',
  key_name: null,
  'OS-SRV-USG:launched_at': '2026-11-21T20:07:24.000000',
  'OS-SRV-USG:terminated_at': null,
  'OS-EXT-SRV-ATTR:host': 'compute2',
  'OS-EXT-SRV-ATTR:instance_name': 'instance-00000037',
  'OS-EXT-SRV-ATTR:hypervisor_hostname': 'compute2',
  'OS-EXT-SRV-ATTR:reservation_id': 'r-00d5pdfp',
  'OS-EXT-SRV-ATTR:launch_index': 0,
  'OS-EXT-SRV-ATTR:hostname': 'sample-srv-21',
  'OS-EXT-SRV-ATTR:kernel_id': '',
  'OS-EXT-SRV-ATTR:ramdisk_id': '',
  'OS-EXT-SRV-ATTR:root_device_name': '/dev/sda',
  'OS-EXT-SRV-ATTR:user_data': null,
  'OS-EXT-STS:task_state': null,
  'OS-EXT-STS:vm_state': 'active',
  'OS-EXT-STS:power_state': 1,
  'os-extended-volumes:volumes_attached': [],
  locked: false,
  locked_reason: null,
  description: 'sample-srv-21',
  tags: [],
  trusted_image_certificates: null,
  host_status: 'UP',
};

/** Sample 58: the NoValidHost server (cell0), 2.93, member. */
const SAMPLE_58 = {
  id: C,
  name: 'sample-srv-novalidhost',
  status: 'ERROR',
  tenant_id: PROJECT,
  user_id: USER,
  metadata: {},
  hostId: '',
  image: imageView,
  flavor: {
    vcpus: 1,
    ram: 1000000,
    disk: 1,
    ephemeral: 0,
    swap: 0,
    original_name: 'sample.big',
    extra_specs: {},
  },
  created: '2026-11-21T20:07:28Z',
  updated: '2026-11-21T20:07:28Z',
  addresses: {},
  accessIPv4: '',
  accessIPv6: '',
  links: selfLinks(C),
  'OS-DCF:diskConfig': 'MANUAL',
  fault: { code: 500, created: '2026-11-21T20:07:28Z', message: 'No valid host was found. ' },
  'OS-EXT-AZ:availability_zone': '',
  config_drive: '',
  key_name: null,
  'OS-SRV-USG:launched_at': null,
  'OS-SRV-USG:terminated_at': null,
  'OS-EXT-STS:task_state': null,
  'OS-EXT-STS:vm_state': 'error',
  'OS-EXT-STS:power_state': 0,
  'os-extended-volumes:volumes_attached': [],
  locked: false,
  locked_reason: null,
  description: null,
  tags: [],
  trusted_image_certificates: null,
  'OS-EXT-SRV-ATTR:hostname': 'sample-srv-novalidhost',
  server_groups: [],
};

/** Sample 59: the same for an admin (fault details, extended attributes, host_status ''). */
const SAMPLE_59 = {
  id: C,
  name: 'sample-srv-novalidhost',
  status: 'ERROR',
  tenant_id: PROJECT,
  user_id: USER,
  metadata: {},
  hostId: '',
  image: imageView,
  flavor: SAMPLE_58.flavor,
  created: '2026-11-21T20:07:28Z',
  updated: '2026-11-21T20:07:28Z',
  addresses: {},
  accessIPv4: '',
  accessIPv6: '',
  links: selfLinks(C),
  'OS-DCF:diskConfig': 'MANUAL',
  fault: {
    code: 500,
    created: '2026-11-21T20:07:28Z',
    message: 'No valid host was found. ',
    details: TRACEBACK,
  },
  'OS-EXT-AZ:availability_zone': '',
  config_drive: '',
  key_name: null,
  'OS-SRV-USG:launched_at': null,
  'OS-SRV-USG:terminated_at': null,
  'OS-EXT-SRV-ATTR:host': null,
  'OS-EXT-SRV-ATTR:instance_name': 'instance-00000001',
  'OS-EXT-SRV-ATTR:hypervisor_hostname': null,
  'OS-EXT-SRV-ATTR:reservation_id': 'r-r9i0cywh',
  'OS-EXT-SRV-ATTR:launch_index': 0,
  'OS-EXT-SRV-ATTR:hostname': 'sample-srv-novalidhost',
  'OS-EXT-SRV-ATTR:kernel_id': '',
  'OS-EXT-SRV-ATTR:ramdisk_id': '',
  'OS-EXT-SRV-ATTR:root_device_name': null,
  'OS-EXT-SRV-ATTR:user_data': null,
  'OS-EXT-STS:task_state': null,
  'OS-EXT-STS:vm_state': 'error',
  'OS-EXT-STS:power_state': 0,
  'os-extended-volumes:volumes_attached': [],
  host_status: '',
  locked: false,
  locked_reason: null,
  description: null,
  tags: [],
  trusted_image_certificates: null,
  server_groups: [],
};

/** Sample 50: A after os-stop, 2.1 (no progress when SHUTOFF). */
const SAMPLE_50 = {
  id: A,
  name: 'sample-srv-21',
  status: 'SHUTOFF',
  tenant_id: PROJECT,
  user_id: USER,
  metadata: {},
  hostId: '7047262591060524bbe48ded925354b9d338c64a105253e314f3215a',
  image: imageView,
  flavor: flavorLink,
  created: '2026-11-21T20:07:24Z',
  updated: '2026-11-21T20:07:27Z',
  addresses: {},
  accessIPv4: '',
  accessIPv6: '',
  links: selfLinks(A),
  'OS-DCF:diskConfig': 'MANUAL',
  'OS-EXT-AZ:availability_zone': 'nova',
  config_drive: '',
  key_name: null,
  'OS-SRV-USG:launched_at': '2026-11-21T20:07:24.000000',
  'OS-SRV-USG:terminated_at': null,
  'OS-EXT-STS:task_state': null,
  'OS-EXT-STS:vm_state': 'stopped',
  'OS-EXT-STS:power_state': 4,
  'os-extended-volumes:volumes_attached': [],
};

const withoutGroups = ({ server_groups: _, ...rest }: Record<string, unknown>) => rest;
/** Sample 22 lists host_status last (Nova adds it to lists afterwards). */
const hostStatusLast = ({ host_status, ...rest }: Record<string, unknown>) => ({
  ...rest,
  host_status,
});

/** Equal, and with Nova's key order. */
function expectSame(actual: Record<string, unknown>, expected: Record<string, unknown>) {
  expect(actual).toEqual(expected);
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
}

describe('serverView against the samples', () => {
  it('16: show at 2.1', () => {
    expectSame(serverView(serverA, ctx('2.1', 'show')), SAMPLE_16);
  });

  it('17: show at 2.93, member', () => {
    expectSame(serverView(serverB, ctx('2.93', 'show')), SAMPLE_17);
  });

  it('18: show at 2.93, admin', () => {
    expectSame(serverView(serverB, ctx('2.93', 'show', true)), SAMPLE_18);
  });

  it('19: the brief list', () => {
    expect([serverA, serverB].map((s) => serverView(s, ctx('2.1', 'brief')))).toEqual([
      { id: A, name: 'sample-srv-21', links: selfLinks(A) },
      { id: B, name: 'sample-srv-latest', links: selfLinks(B) },
    ]);
  });

  it('20: detail at 2.1', () => {
    const list = [serverA, serverB].map((s) => serverView(s, ctx('2.1', 'detail')));
    expectSame(list[0], SAMPLE_16);
    expectSame(list[1], SAMPLE_20_B);
  });

  it('21: detail at 2.93, member (no server_groups in lists)', () => {
    const list = [serverA, serverB].map((s) => serverView(s, ctx('2.93', 'detail')));
    expectSame(list[0], SAMPLE_21_A);
    expectSame(list[1], withoutGroups(SAMPLE_17));
  });

  it('22: detail at 2.93, admin', () => {
    const list = [serverA, serverB].map((s) => serverView(s, ctx('2.93', 'detail', true)));
    expectSame(list[0], SAMPLE_22_A);
    expectSame(list[1], hostStatusLast(withoutGroups(SAMPLE_18)));
  });

  it('50: a stopped server has no progress', () => {
    const stopped = {
      ...serverA,
      vm_state: 'stopped',
      power_state: 4,
      updated_at: new Date('2026-11-21T20:07:27Z'),
    };
    expectSame(serverView(stopped, ctx('2.1', 'show')), SAMPLE_50);
  });

  it('58 and 59: an ERROR server with its fault (details for admins only)', () => {
    expectSame(serverView(serverC, ctx('2.93', 'show')), SAMPLE_58);
    expectSame(serverView(serverC, ctx('2.93', 'show', true)), SAMPLE_59);
  });

  it('14, 15, 57: the create answer', () => {
    expect(
      serverCreatedView(
        { uuid: A, diskConfig: 'MANUAL', securityGroups: ['default'], adminPass: 'ky3TZ7mrvBJv' },
        links,
      ),
    ).toEqual({
      server: {
        id: A,
        links: selfLinks(A),
        'OS-DCF:diskConfig': 'MANUAL',
        security_groups: [{ name: 'default' }],
        adminPass: 'ky3TZ7mrvBJv',
      },
    });
    expect(
      serverCreatedView({ uuid: A, diskConfig: 'AUTO', securityGroups: ['web'] }, links).server,
    ).not.toHaveProperty('adminPass');
  });
});

describe('serverView by microversion', () => {
  const at = (version: string, record: ServerRecord = serverB, admin = false) =>
    serverView(record, ctx(version, 'show', admin));

  it('adds fields as microversions add them', () => {
    expect(at('2.8')).not.toHaveProperty('locked');
    expect(at('2.9')).toHaveProperty('locked', false);
    expect(at('2.15', serverB, true)).not.toHaveProperty('host_status');
    expect(at('2.16', serverB, true)).toHaveProperty('host_status', 'UP');
    expect(at('2.18')).not.toHaveProperty('description');
    expect(at('2.19')).toHaveProperty('description', 'created by samples.py');
    expect(at('2.25')).not.toHaveProperty('tags');
    expect(at('2.26')).toHaveProperty('tags', ['sample']);
    expect(at('2.46').flavor).toEqual(flavorLink);
    expect(at('2.47').flavor).toEqual(flavorTiny);
    expect(at('2.62')).not.toHaveProperty('trusted_image_certificates');
    expect(at('2.63', { ...serverB, trusted_certs: ['c1'] })).toHaveProperty(
      'trusted_image_certificates',
      ['c1'],
    );
    expect(at('2.70')).not.toHaveProperty('server_groups');
    expect(at('2.71')).toHaveProperty('server_groups', []);
    expect(at('2.72')).not.toHaveProperty('locked_reason');
    expect(at('2.73', { ...serverB, locked: true, locked_reason: 'maint' })).toMatchObject({
      locked: true,
      locked_reason: 'maint',
    });
    expect(at('2.89')).not.toHaveProperty('OS-EXT-SRV-ATTR:hostname');
    expect(at('2.90')).toHaveProperty('OS-EXT-SRV-ATTR:hostname', 'sample-srv-latest');
  });

  it('shows admins the 2.3 attributes only from 2.3', () => {
    const v21 = at('2.1', serverB, true);
    expect(v21).toMatchObject({
      'OS-EXT-SRV-ATTR:host': 'compute1',
      'OS-EXT-SRV-ATTR:instance_name': 'instance-00000035',
      'OS-EXT-SRV-ATTR:hypervisor_hostname': 'compute1',
    });
    expect(v21).not.toHaveProperty('OS-EXT-SRV-ATTR:reservation_id');
    expect(at('2.3', serverB, true)).toHaveProperty('OS-EXT-SRV-ATTR:user_data', null);
    expect(at('2.3', serverB, false)).not.toHaveProperty('OS-EXT-SRV-ATTR:host');
  });

  it('hides extra specs and host status unless allowed', () => {
    const view = serverView(serverB, { ...ctx('2.93', 'show'), flavorExtraSpecs: false });
    expect(view['flavor']).not.toHaveProperty('extra_specs');
    expect(view).not.toHaveProperty('host_status');
  });

  it('shows addresses, access IPs, security groups, disk config and images like Nova', () => {
    const view = at('2.1', {
      ...serverA,
      addresses: {
        private: [{ version: 4, addr: '10.0.0.3', mac: 'fa:16:3e:00:00:01', type: 'fixed' }],
      },
      access_ip_v4: '1.2.3.4',
      security_groups: ['default', 'web'],
      auto_disk_config: true,
      image_ref: '',
    });
    expect(view).toMatchObject({
      addresses: {
        private: [
          {
            version: 4,
            addr: '10.0.0.3',
            'OS-EXT-IPS:type': 'fixed',
            'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01',
          },
        ],
      },
      accessIPv4: '1.2.3.4',
      security_groups: [{ name: 'default' }, { name: 'web' }],
      'OS-DCF:diskConfig': 'AUTO',
      image: '',
    });
    // Right after the time-dependent key_name/usage fields, as Nova orders them.
    const keys = Object.keys(view);
    expect(keys.indexOf('security_groups')).toBe(keys.indexOf('OS-SRV-USG:terminated_at') + 1);
  });

  it('shows progress for building and moving servers only', () => {
    const progress = (vm_state: string, task_state: string | null) =>
      serverView({ ...serverA, vm_state, task_state, progress: 40 }, ctx('2.1', 'show'))[
        'progress'
      ];
    expect(progress('building', 'spawning')).toBe(40);
    expect(progress('active', 'resize_migrating')).toBe(40);
    expect(progress('resized', null)).toBe(40);
    expect(progress('active', 'rebooting')).toBeUndefined();
    expect(progress('paused', null)).toBeUndefined();
    expect(serverView({ ...serverA, progress: null }, ctx('2.1', 'show'))['progress']).toBe(0);
  });

  it('shows faults of ERROR and DELETED servers only; details of non-500 faults to all', () => {
    const fault = { code: 404, message: 'Image not found', details: 'gone', created: new Date(0) };
    expect(serverView({ ...serverC, fault }, ctx('2.1', 'show'))['fault']).toEqual({
      code: 404,
      created: '1970-01-01T00:00:00Z',
      message: 'Image not found',
      details: 'gone',
    });
    expect(
      serverView({ ...serverC, vm_state: 'deleted', fault }, ctx('2.1', 'show')),
    ).toHaveProperty('fault');
    expect(serverView({ ...serverA, fault }, ctx('2.1', 'show'))).not.toHaveProperty('fault');
    expect(serverView({ ...serverC, fault: null }, ctx('2.1', 'show'))).not.toHaveProperty('fault');
  });

  it('answers PUT with the reduced view before 2.75 and the full one after', () => {
    const record = {
      ...serverA,
      addresses: { n: [{ version: 6 as const, addr: '::5', mac: 'm', type: 'fixed' as const }] },
    };
    const before = serverView(record, ctx('2.74', 'update', true));
    for (const key of [
      'OS-EXT-AZ:availability_zone',
      'config_drive',
      'key_name',
      'OS-SRV-USG:launched_at',
      'OS-EXT-SRV-ATTR:host',
      'OS-EXT-STS:vm_state',
      'os-extended-volumes:volumes_attached',
      'host_status',
    ]) {
      expect(before).not.toHaveProperty(key);
    }
    expect(before['addresses']).toEqual({ n: [{ version: 6, addr: '::5' }] });
    expect(before).toHaveProperty('server_groups', []);
    const after = serverView(record, ctx('2.75', 'update', true));
    expect(after).toEqual(serverView(record, ctx('2.75', 'show', true)));
  });

  it('answers rebuild like PUT, with key_name from 2.54 and user_data from 2.57', () => {
    const record = { ...serverA, key_name: 'k', user_data: 'dXNlcg==' };
    expect(serverView(record, ctx('2.53', 'rebuild'))).not.toHaveProperty('key_name');
    expect(serverView(record, ctx('2.54', 'rebuild'))).toHaveProperty('key_name', 'k');
    expect(serverView(record, ctx('2.56', 'rebuild'))).not.toHaveProperty('user_data');
    const v257 = serverView(record, ctx('2.57', 'rebuild', true));
    expect(v257).toHaveProperty('user_data', 'dXNlcg==');
    expect(v257).not.toHaveProperty('OS-EXT-SRV-ATTR:host');
    const v275 = serverView(record, ctx('2.75', 'rebuild', true));
    expect(v275).toHaveProperty('OS-EXT-SRV-ATTR:host', 'compute2');
    expect(v275).not.toHaveProperty('OS-EXT-SRV-ATTR:user_data');
    expect(v275).toHaveProperty('user_data', 'dXNlcg==');
  });

  it('uses the project in links when the URL had one', () => {
    const own = linksFromBase(BASE, PROJECT, 'http://glance:9292/');
    expect(own.server(A)).toEqual([
      { rel: 'self', href: `${BASE}/v2.1/${PROJECT}/servers/${A}` },
      { rel: 'bookmark', href: `${BASE}/${PROJECT}/servers/${A}` },
    ]);
    expect(own.image(IMAGE)).toBe(`http://glance:9292/${PROJECT}/images/${IMAGE}`);
    expect(own.flavor('1')).toBe(`${BASE}/${PROJECT}/flavors/1`);
  });
});

describe('unknownServerView (2.69 down cells)', () => {
  const down: UnknownServer = {
    uuid: A,
    project_id: PROJECT,
    created_at: new Date('2026-11-21T20:07:24Z'),
    cell_uuid: 'cell2',
  };

  it('lists id, status and links; detail adds tenant_id and created', () => {
    expect(unknownServerView(down, ctx('2.69', 'brief'))).toEqual({
      id: A,
      status: 'UNKNOWN',
      links: selfLinks(A),
    });
    expect(unknownServerView(down, ctx('2.69', 'detail'))).toEqual({
      id: A,
      status: 'UNKNOWN',
      tenant_id: PROJECT,
      created: '2026-11-21T20:07:24Z',
      links: selfLinks(A),
    });
  });

  it('shows what the request spec knows on GET /servers/{id}', () => {
    const spec = {
      ...down,
      flavor: tiny,
      image_ref: IMAGE,
      availability_zone: null,
      user_id: null,
    };
    expect(unknownServerView(spec, ctx('2.69', 'show'))).toEqual({
      id: A,
      status: 'UNKNOWN',
      tenant_id: PROJECT,
      created: '2026-11-21T20:07:24Z',
      links: selfLinks(A),
      image: imageView,
      flavor: flavorTiny,
      'OS-EXT-AZ:availability_zone': 'UNKNOWN',
      'OS-EXT-STS:power_state': 0,
      user_id: 'UNKNOWN',
    });
    expect(unknownServerView({ ...spec, user_id: USER }, ctx('2.71', 'show'))).toMatchObject({
      user_id: USER,
      server_groups: [],
    });
  });
});

describe('formatting', () => {
  it('prints times as Nova does', () => {
    expect(isoTime(new Date('2026-11-21T20:07:24.123Z'))).toBe('2026-11-21T20:07:24Z');
    expect(usageTime(new Date('2026-11-21T20:07:24.123Z'))).toBe('2026-11-21T20:07:24.123000');
    expect(usageTime(null)).toBeNull();
  });

  it('hashes hostId from project and host', () => {
    expect(hostId(PROJECT, 'compute1')).toBe(
      'db5d6b472ad26a4cd78e98e1f6e388eb2122744aa0f521b944a0938f',
    );
    expect(hostId(PROJECT, null)).toBe('');
  });
});
