import type { WireGuest, WireVif } from '@nova/compute-rpc';
import type { NovaConfig } from '@nova/config';
import { withFlatSubnet } from '@nova/network';
import type { ServerRecord } from './server-record';

/**
 * What a host writes on a rebuilt (the new password with the rest) or
 * unshelved server's config drive.
 */
export function wireGuestOf(server: ServerRecord, adminPassword: string | null): WireGuest {
  return {
    display_name: server.display_name ?? '',
    hostname: server.hostname ?? '',
    availability_zone: server.availability_zone,
    project_id: server.project_id,
    launch_index: server.launch_index ?? 0,
    reservation_id: server.reservation_id ?? '',
    key_name: server.key_name,
    metadata: server.metadata,
    security_groups: server.security_groups,
    config_drive: server.config_drive === 'True',
    admin_password: adminPassword,
  };
}

/** The NICs a rebuilt or unshelved guest is told about: as recorded, with the flat network's subnet. */
export function flatVifs(
  vifs: readonly WireVif[],
  config: Pick<NovaConfig, 'flat_network'>,
): WireVif[] {
  const { name, cidr } = config.flat_network;
  return vifs.map((vif) => withFlatSubnet(vif, name, cidr));
}
