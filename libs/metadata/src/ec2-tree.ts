import { guestHostname, userDataBytes, type GuestInstance, type MetadataOptions } from './guest';
import { atLeast, EC2_VERSIONS } from './versions';

/**
 * A directory of the EC2 tree. `_name` is what its parent's listing shows
 * instead of `key/` (Nova's `public-keys/` lists `0=keyname`).
 */
export interface Ec2Dir {
  readonly [key: string]: Ec2Value;
}
export type Ec2Value = string | number | Buffer | readonly string[] | Ec2Dir;

/** EC2's `i-%08x` of the cell-local instance id. */
export function ec2InstanceId(id: number): string {
  return `i-${id.toString(16).padStart(8, '0')}`;
}

/**
 * EC2's `ami-%08x` of the image. Nova numbers images in a table of its own;
 * we take the image uuid's first 32 bits, stable without a table.
 */
export function ec2ImageId(imageId: string): string {
  const hex = imageId.replace(/-/g, '').slice(0, 8).toLowerCase();
  return /^[0-9a-f]{8}$/.test(hex) ? `ami-${hex}` : 'ami-00000000';
}

/** The block devices the guest sees (root, and the ephemeral disk after it). */
function blockDeviceMapping(guest: GuestInstance): Ec2Dir {
  const root = guest.rootDeviceName ?? '/dev/vda';
  const prefix = root.replace(/[a-z]$/, '');
  const next = String.fromCharCode(root.charCodeAt(root.length - 1) + 1);
  return {
    ami: root.replace(/^\/dev\//, ''),
    root,
    ...(guest.ephemeralGb > 0 ? { ephemeral0: `${prefix}${next}` } : {}),
  };
}

/**
 * The `meta-data` directory of one EC2 version (a known one, not `latest`),
 * with the fields Nova shows from that version on. `address` is the
 * requester's, the local-ipv4 of a guest without a fixed IPv4.
 */
export function ec2MetaData(
  guest: GuestInstance,
  version: string,
  options: MetadataOptions,
  address: string | null = null,
): Record<string, Ec2Value> {
  const since = (v: string) => atLeast(EC2_VERSIONS, version, v);
  const hostname = guestHostname(guest, options);
  const fixed = guest.vifs.find((v) => !v.address.includes(':'))?.address;
  const meta: Record<string, Ec2Value> = {
    'ami-id': ec2ImageId(guest.imageId),
    'ami-launch-index': guest.launchIndex,
    'ami-manifest-path': 'FIXME',
    'instance-id': ec2InstanceId(guest.id),
    hostname,
    'local-ipv4': fixed ?? address ?? '',
    'reservation-id': guest.reservationId,
    'security-groups': [...guest.securityGroups],
  };
  if (guest.keyName) {
    meta['public-keys'] = {
      '0': { _name: `0=${guest.keyName}`, 'openssh-key': guest.keyData ?? '' },
    };
  }
  if (since('2007-01-19')) {
    meta['local-hostname'] = hostname;
    meta['public-hostname'] = hostname;
    meta['public-ipv4'] = ''; // no floating IPs on the flat network
  }
  if (since('2007-08-29')) {
    meta['instance-type'] = guest.flavorName;
  }
  if (since('2007-12-15')) {
    meta['block-device-mapping'] = blockDeviceMapping(guest);
  }
  if (since('2008-02-01')) {
    meta['placement'] = { 'availability-zone': guest.availabilityZone ?? '' };
  }
  if (since('2008-09-01')) {
    meta['instance-action'] = 'none';
  }
  return meta;
}

/** One EC2 version's directory: `meta-data/`, and `user-data` when the server has some. */
export function ec2Version(
  guest: GuestInstance,
  version: string,
  options: MetadataOptions,
  address: string | null = null,
): Ec2Dir {
  const userData = userDataBytes(guest);
  return {
    'meta-data': ec2MetaData(guest, version, options, address),
    ...(userData ? { 'user-data': userData } : {}),
  };
}

export function isDir(value: Ec2Value): value is Ec2Dir {
  return typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * A value as the metadata service prints it: a directory one entry per line
 * (sorted, `key/` for directories, `_name` where a directory has one), a list
 * one item per line, anything else as text.
 */
export function renderEc2(value: Ec2Value): string | Buffer {
  if (Buffer.isBuffer(value)) {
    return value;
  }
  if (Array.isArray(value)) {
    return value.join('\n');
  }
  if (isDir(value)) {
    return Object.keys(value)
      .filter((k) => k !== '_name')
      .sort()
      .map((k) => {
        const child = value[k];
        if (child !== undefined && isDir(child)) {
          return typeof child['_name'] === 'string' ? child['_name'] : `${k}/`;
        }
        return k;
      })
      .join('\n');
  }
  return String(value);
}

/** The EC2 meta-data as JSON for a config drive (`_name` is only for listings). */
export function ec2Json(meta: Record<string, Ec2Value>): Record<string, unknown> {
  const strip = (value: Ec2Value): unknown =>
    isDir(value)
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([k]) => k !== '_name')
            .map(([k, v]) => [k, strip(v)]),
        )
      : value;
  return strip(meta) as Record<string, unknown>;
}
