import { randomBytes } from 'node:crypto';
import {
  guestHostname,
  keyType,
  type DriveExtras,
  type GuestInstance,
  type MetadataOptions,
} from './guest';
import { networkData } from './network-data';
import {
  atLeast,
  GRIZZLY,
  HAVANA,
  LIBERTY,
  NEWTON_ONE,
  NEWTON_TWO,
  OPENSTACK_VERSIONS,
  VICTORIA,
} from './versions';

const since = (version: string, required: string) => atLeast(OPENSTACK_VERSIONS, version, required);

/** Where personality file N is on a config drive (`/content/0000`...). */
export function contentPath(index: number): string {
  return `/content/${String(index).padStart(4, '0')}`;
}

/**
 * meta_data.json of one OpenStack version (a known one, not `latest`). The
 * drive extras (admin password, personality files) only on a config drive.
 */
export function metaDataJson(
  guest: GuestInstance,
  version: string,
  options: MetadataOptions,
  extras: DriveExtras = {},
): Record<string, unknown> {
  const md: Record<string, unknown> = { uuid: guest.uuid };
  if (Object.keys(guest.metadata).length > 0) {
    md['meta'] = { ...guest.metadata };
  }
  if (extras.files && extras.files.length > 0) {
    md['files'] = extras.files.map((f, i) => ({ path: f.path, content_path: contentPath(i) }));
  }
  if (extras.adminPass) {
    md['admin_pass'] = extras.adminPass;
  }
  if (guest.keyName && guest.keyData) {
    md['public_keys'] = { [guest.keyName]: guest.keyData };
    md['keys'] = [{ name: guest.keyName, type: keyType(guest.keyData), data: guest.keyData }];
  }
  md['hostname'] = guestHostname(guest, options);
  md['name'] = guest.name;
  md['launch_index'] = guest.launchIndex;
  md['availability_zone'] = guest.availabilityZone;
  if (since(version, GRIZZLY)) {
    md['random_seed'] = randomBytes(512).toString('base64');
  }
  if (since(version, LIBERTY)) {
    md['project_id'] = guest.projectId;
  }
  if (since(version, NEWTON_ONE)) {
    md['devices'] = []; // no tagged devices
  }
  if (since(version, VICTORIA)) {
    md['dedicated_cpus'] = []; // no CPU pinning
  }
  return md;
}

/** The files of one OpenStack version directory, in Nova's order. */
export function versionEntries(version: string, hasUserData: boolean): string[] {
  return [
    'meta_data.json',
    ...(hasUserData ? ['user_data'] : []),
    ...(since(version, GRIZZLY) ? ['password'] : []),
    ...(since(version, HAVANA) ? ['vendor_data.json'] : []),
    ...(since(version, LIBERTY) ? ['network_data.json'] : []),
    ...(since(version, NEWTON_TWO) ? ['vendor_data2.json'] : []),
  ];
}

/** One JSON document of an OpenStack version, or undefined when that version has no such file. */
export function openstackJson(
  guest: GuestInstance,
  version: string,
  file: string,
  options: MetadataOptions,
  extras: DriveExtras = {},
): unknown {
  switch (file) {
    case 'meta_data.json':
      return metaDataJson(guest, version, options, extras);
    case 'vendor_data.json':
      return since(version, HAVANA) ? options.vendorData : undefined;
    case 'network_data.json':
      return since(version, LIBERTY) ? networkData(guest.vifs) : undefined;
    case 'vendor_data2.json':
      // Nova's StaticJSON provider answers under "static"; no dynamic providers.
      return since(version, NEWTON_TWO) ? { static: options.vendorData } : undefined;
    default:
      return undefined;
  }
}
