import { userDataBytes, type DriveExtras, type GuestInstance, type MetadataOptions } from './guest';
import { ec2Json, ec2MetaData } from './ec2-tree';
import { contentPath, openstackJson, versionEntries } from './openstack-tree';
import { EC2_VERSIONS, OPENSTACK_VERSIONS, resolveVersion } from './versions';

/** One file of a config drive: its path inside the drive and its bytes. */
export interface DriveFile {
  readonly path: string;
  readonly data: Buffer;
}

export interface DriveOptions extends MetadataOptions {
  /** `[api] config_drive_skip_versions`: EC2 versions left out. */
  readonly skipEc2Versions: readonly string[];
}

/**
 * Every file of a config drive (label `config-2`), as Nova lays it out: the
 * EC2 versions not skipped (`ec2/<v>/meta-data.json`, `user-data`), every
 * OpenStack version and `latest` (`openstack/<v>/meta_data.json`, `user_data`,
 * `vendor_data.json`, `network_data.json`, `vendor_data2.json`), and the
 * personality files under `openstack/content/`.
 */
export function configDriveFiles(
  guest: GuestInstance,
  options: DriveOptions,
  extras: DriveExtras = {},
): DriveFile[] {
  const files: DriveFile[] = [];
  const json = (path: string, value: unknown) =>
    files.push({ path, data: Buffer.from(JSON.stringify(value)) });
  const userData = userDataBytes(guest);
  for (const asked of [...EC2_VERSIONS, 'latest']) {
    if (options.skipEc2Versions.includes(asked)) {
      continue;
    }
    const version = resolveVersion(EC2_VERSIONS, asked)!;
    if (userData) {
      files.push({ path: `ec2/${asked}/user-data`, data: userData });
    }
    json(`ec2/${asked}/meta-data.json`, ec2Json(ec2MetaData(guest, version, options)));
  }
  for (const asked of [...OPENSTACK_VERSIONS, 'latest']) {
    const version = resolveVersion(OPENSTACK_VERSIONS, asked)!;
    for (const entry of versionEntries(version, userData !== null)) {
      if (entry === 'password') {
        continue; // posted by the guest to the metadata service, never on the drive
      }
      const path = `openstack/${asked}/${entry}`;
      if (entry === 'user_data') {
        files.push({ path, data: userData! });
      } else {
        json(path, openstackJson(guest, version, entry, options, extras));
      }
    }
  }
  (extras.files ?? []).forEach((file, i) =>
    files.push({
      path: `openstack${contentPath(i)}`,
      data: Buffer.from(file.contents, 'base64'),
    }),
  );
  return files;
}
