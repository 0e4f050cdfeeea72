import type { ConfigDriveFile } from '@nova/cells/virt';
import type { WireBuild, WireRebuild } from '@nova/compute-rpc';
import {
  configDriveFiles,
  idFromInstanceName,
  type DriveOptions,
  type GuestInstance,
} from '@nova/metadata';

/** The host's config drive settings: `[DEFAULT] force_config_drive` and the trees' options. */
export interface ConfigDrivePolicy {
  readonly force: boolean;
  readonly options: DriveOptions;
}

type Carrier = Pick<
  WireBuild & WireRebuild,
  'instance_uuid' | 'instance_name' | 'image' | 'user_data' | 'key_data' | 'vifs' | 'guest'
> & { readonly flavor: { readonly name: string; readonly ephemeral_gb: number } };

/**
 * Nova's configdrive.required_by: the user asked for one, the host forces it,
 * or the image says `img_config_drive=mandatory`.
 */
export function needsConfigDrive(w: Carrier, force: boolean): boolean {
  return (
    force ||
    w.guest?.config_drive === true ||
    w.image.properties['img_config_drive'] === 'mandatory'
  );
}

/**
 * The files of the instance's config drive, all from the message (the host
 * reads no database); undefined when it gets none. A message from before
 * guests were described (no `guest`) gets none either.
 */
export function configDriveContents(
  w: Carrier,
  policy: ConfigDrivePolicy,
): ConfigDriveFile[] | undefined {
  const g = w.guest;
  if (!g || !needsConfigDrive(w, policy.force)) {
    return undefined;
  }
  const guest: GuestInstance = {
    uuid: w.instance_uuid,
    id: idFromInstanceName(w.instance_name),
    name: g.display_name,
    hostname: g.hostname,
    availabilityZone: g.availability_zone,
    projectId: g.project_id,
    launchIndex: g.launch_index,
    reservationId: g.reservation_id,
    keyName: g.key_name,
    keyData: w.key_data,
    userData: w.user_data,
    metadata: g.metadata,
    securityGroups: g.security_groups,
    flavorName: w.flavor.name,
    imageId: w.image.id,
    rootDeviceName: '/dev/vda',
    ephemeralGb: w.flavor.ephemeral_gb,
    vifs: w.vifs,
  };
  return configDriveFiles(guest, policy.options, {
    adminPass: g.admin_password,
    ...(g.files ? { files: g.files } : {}),
  });
}
