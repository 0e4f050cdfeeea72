import type { WireBuild, WireGuest } from '@nova/compute-rpc';
import {
  configDriveContents,
  needsConfigDrive,
  type ConfigDrivePolicy,
} from './config-drive-contents';

const guest: WireGuest = {
  display_name: 'db',
  hostname: 'db',
  availability_zone: 'az2',
  project_id: 'p1',
  launch_index: 1,
  reservation_id: 'r-12345678',
  key_name: null,
  metadata: {},
  security_groups: ['default'],
  config_drive: false,
  admin_password: 'Pass-1',
};
const build: WireBuild = {
  instance_uuid: '9b2f6c1e-0d4a-4c3b-8e7f-1a2b3c4d5e6f',
  instance_name: 'instance-0000000c',
  flavor: {
    id: 1,
    flavorid: '1',
    name: 'm1.small',
    vcpus: 1,
    memory_mb: 512,
    root_gb: 1,
    ephemeral_gb: 0,
    swap: 0,
    extra_specs: {},
  },
  image: {
    id: '155d900f-4e14-4e4c-a73d-069cbf4541e6',
    name: 'cirros',
    min_disk: 0,
    min_ram: 0,
    properties: {},
  },
  user_data: null,
  key_data: null,
  vifs: [{ network: 'private', address: '10.0.0.4', mac: 'fa:16:3e:00:00:04' }],
  alternates: [],
  attempt: 1,
  spec: {} as WireBuild['spec'],
  node: 'n1',
  guest,
};
const policy: ConfigDrivePolicy = {
  force: false,
  options: { dhcpDomain: 'novalocal', vendorData: {}, skipEc2Versions: [] },
};

describe("the compute host's config drive", () => {
  it('is built when asked, forced by the host, or mandatory for the image', () => {
    expect(needsConfigDrive(build, false)).toBe(false);
    expect(needsConfigDrive({ ...build, guest: { ...guest, config_drive: true } }, false)).toBe(
      true,
    );
    expect(needsConfigDrive(build, true)).toBe(true);
    const mandatory = { ...build.image, properties: { img_config_drive: 'mandatory' } };
    expect(needsConfigDrive({ ...build, image: mandatory }, false)).toBe(true);
    expect(configDriveContents(build, policy)).toBeUndefined();
  });

  it('holds the trees from the message alone, with the admin password', () => {
    const files = configDriveContents(build, { ...policy, force: true })!;
    const file = (path: string) =>
      JSON.parse(files.find((f) => f.path === path)!.data.toString()) as Record<string, unknown>;
    expect(file('openstack/latest/meta_data.json')).toMatchObject({
      uuid: build.instance_uuid,
      admin_pass: 'Pass-1',
      hostname: 'db.novalocal',
      name: 'db',
      launch_index: 1,
      availability_zone: 'az2',
      project_id: 'p1',
    });
    expect(file('ec2/latest/meta-data.json')).toMatchObject({
      'instance-id': 'i-0000000c',
      'instance-type': 'm1.small',
      'reservation-id': 'r-12345678',
      'local-ipv4': '10.0.0.4',
    });
    // All EC2 versions when none are skipped.
    expect(files.filter((f) => f.path.endsWith('meta-data.json'))).toHaveLength(10);
  });

  it('a build cast before guests were described gets none', () => {
    expect(
      configDriveContents({ ...build, guest: undefined }, { ...policy, force: true }),
    ).toBeUndefined();
  });
});
