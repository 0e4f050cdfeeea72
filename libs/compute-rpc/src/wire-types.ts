/** The shapes that cross the queues between API, conductors, scheduler and computes. */

export interface WireFlavor {
  readonly id: number;
  readonly flavorid: string;
  readonly name: string;
  readonly vcpus: number;
  readonly memory_mb: number;
  readonly root_gb: number;
  readonly ephemeral_gb: number;
  readonly swap: number;
  readonly extra_specs: Readonly<Record<string, string>>;
}

export interface WireImage {
  readonly id: string;
  readonly name: string | null;
  readonly min_disk: number;
  readonly min_ram: number;
  readonly properties: Readonly<Record<string, string>>;
}

export interface WireServerGroup {
  readonly uuid: string;
  readonly policy: string;
  readonly rules: Readonly<Record<string, unknown>>;
}

/** What the scheduler needs to place one build request's instances (Nova's RequestSpec). */
export interface WireRequestSpec {
  readonly instance_uuids: readonly string[];
  readonly project_id: string;
  readonly user_id: string;
  readonly flavor: WireFlavor;
  readonly image: WireImage;
  readonly availability_zone: string | null;
  readonly scheduler_hints: Readonly<Record<string, string | readonly string[]>>;
  readonly group: WireServerGroup | null;
  /** From `host` / `hypervisor_hostname` (2.74) or `zone:host:node`. */
  readonly requested_host: string | null;
  readonly requested_node: string | null;
  /** Hosts a reschedule must not go back to. */
  readonly ignore_hosts: readonly string[];
  /**
   * A rebuild's check of a new image on the server's own host: only the image
   * filters run, and nothing is claimed (the server holds its resources).
   */
  readonly is_rebuild?: boolean;
  /** A move of an existing instance: it does not count against its own server group. */
  readonly is_move?: boolean;
  /** Hosts an admin forced (filters skipped; placement still claims). */
  readonly force_hosts?: readonly string[];
  /** Only hosts of this cell (a move stays in its cell). */
  readonly requested_cell?: string | null;
}

/** One place an instance may go: a host of a cell, and the provider its resources were claimed on. */
export interface Selection {
  readonly cell_uuid: string;
  readonly host: string;
  readonly nodename: string;
  readonly provider_uuid: string;
  /** The host's availability zone (the instance takes it). */
  readonly availability_zone?: string | null;
}

/** Per instance: the claimed selection first, then unclaimed alternates in the same cell. */
export type Destinations = ReadonlyArray<readonly Selection[]>;

/** One NIC asked for: a network (maybe with an address) or, with Neutron, a port. */
export interface NicRequest {
  readonly uuid?: string;
  readonly fixed_ip?: string;
  readonly port?: string;
  readonly tag?: string;
}

/** The instance fields a build request carries until the instance exists in a cell. */
export interface BuildInstanceFields {
  readonly uuid: string;
  readonly display_name: string;
  readonly display_description: string | null;
  readonly project_id: string;
  readonly user_id: string;
  readonly image_ref: string;
  readonly flavor: WireFlavor;
  readonly key_name: string | null;
  readonly key_data: string | null;
  readonly user_data: string | null;
  readonly hostname: string;
  readonly availability_zone: string | null;
  readonly access_ip_v4: string | null;
  readonly access_ip_v6: string | null;
  readonly config_drive: string | null;
  readonly launch_index: number;
  readonly reservation_id: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  readonly networks: 'auto' | 'none' | readonly NicRequest[];
  readonly created_at: string;
  /** OS-DCF:diskConfig AUTO (true) or MANUAL (false). */
  readonly auto_disk_config?: boolean;
  /** Security group names (kept on the instance on the flat network). */
  readonly security_groups?: readonly string[];
}

/** A network address handed to the driver and recorded in the info cache. */
export interface WireVif {
  readonly network: string;
  readonly address: string;
  readonly mac: string;
  /** The VIF's id, its network's id and subnet (network_data.json); absent in older records. */
  readonly id?: string;
  readonly network_id?: string;
  readonly cidr?: string;
  readonly gateway?: string | null;
  /** A Neutron port (absent on the flat network): `id` is the port's id then. */
  readonly port_id?: string;
  /** The user brought the port: it is unbound, not deleted, with the server (Nova's flag). */
  readonly preserve_on_delete?: boolean;
  /** The device tag asked for (2.42 create, 2.49 attach). */
  readonly tag?: string | null;
  /** Floating IPs Neutron maps to this port's fixed IPs (shown as `floating` addresses). */
  readonly floating_ips?: readonly string[];
}

/**
 * What a guest is told about itself on its config drive, beyond what the
 * build already carries (flavor, image, key, user data, NICs). The admin
 * password and personality files are never stored: they only travel here.
 */
export interface WireGuest {
  readonly display_name: string;
  readonly hostname: string;
  readonly availability_zone: string | null;
  readonly project_id: string;
  readonly launch_index: number;
  readonly reservation_id: string;
  readonly key_name: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly security_groups: readonly string[];
  /** The user asked for a config drive (`config_drive: true`). */
  readonly config_drive: boolean;
  readonly admin_password: string | null;
  /** Personality files (before 2.57), contents base64. */
  readonly files?: ReadonlyArray<{ readonly path: string; readonly contents: string }>;
}

/** What a compute host needs to build an instance without reading any database. */
export interface WireBuild {
  readonly instance_uuid: string;
  readonly instance_name: string;
  readonly flavor: WireFlavor;
  readonly image: WireImage;
  readonly user_data: string | null;
  readonly key_data: string | null;
  readonly vifs: readonly WireVif[];
  readonly alternates: readonly Selection[];
  readonly attempt: number;
  readonly spec: WireRequestSpec;
  readonly node: string;
  /** For the config drive (absent from builds cast before it existed). */
  readonly guest?: WireGuest;
}

/** What a compute host needs to rebuild an instance from a (new) image, without any database. */
export interface WireRebuild {
  readonly instance_uuid: string;
  readonly instance_name: string;
  readonly flavor: Omit<WireFlavor, 'id'>;
  readonly image: WireImage;
  readonly user_data: string | null;
  readonly key_data: string | null;
  readonly vifs: readonly WireVif[];
  readonly admin_password: string | null;
  readonly preserve_ephemeral: boolean;
  /** A stopped instance is rebuilt and stays stopped, as in Nova. */
  readonly was_stopped: boolean;
  /** For the config drive, rebuilt with the new password and user data. */
  readonly guest?: WireGuest;
}

/** A rescue: the image it boots and the instance it rescues. */
export interface WireRescue {
  readonly instance_uuid: string;
  readonly instance_name: string;
  readonly flavor: Omit<WireFlavor, 'id'>;
  readonly image: WireImage;
  readonly rescue_image: WireImage;
  readonly vifs: readonly WireVif[];
  readonly admin_password: string | null;
}

/**
 * A snapshot for a compute host to take and upload (createImage, createBackup,
 * shelve). `auth_token` is the requesting user's token, for the image
 * service: Nova sends it inside its RPC context, while our RequestContext
 * leaves tokens out of every envelope on purpose (libs/rpc/src/envelope.ts),
 * so only the casts that need one carry it, as an argument, to the one host
 * that uses it. Null when the API had no token (noauth2, the local catalog).
 */
export interface WireSnapshot {
  readonly image_id: string;
  readonly auth_token: string | null;
  /** The flavor's root disk (GiB), for drivers that size their image by it. */
  readonly root_gb: number;
}

/** A backup also names its type and how many of that type to keep (older ones are deleted). */
export interface WireBackup extends WireSnapshot {
  readonly backup_type: string;
  readonly rotation: number;
}

/**
 * An unshelve for the host: the token (see WireSnapshot) to delete the
 * shelve image with once the server runs again, and for a SHELVED_OFFLOADED
 * server what to spawn it from (the shelve image) and as.
 */
export interface WireUnshelve {
  readonly auth_token: string | null;
  readonly shelved_image_id: string | null;
  readonly spawn: {
    readonly instance_name: string;
    readonly flavor: Omit<WireFlavor, 'id'>;
    readonly image: WireImage;
    readonly user_data: string | null;
    readonly key_data: string | null;
    readonly vifs: readonly WireVif[];
    readonly node: string;
    /** For the config drive, built again on the new host (no password, no files: Nova's neither). */
    readonly guest?: WireGuest;
  } | null;
}
