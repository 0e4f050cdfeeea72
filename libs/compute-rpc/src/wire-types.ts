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
  readonly networks:
    'auto' | 'none' | ReadonlyArray<{ readonly uuid?: string; readonly fixed_ip?: string }>;
  readonly created_at: string;
  /** OS-DCF:diskConfig AUTO (true) or MANUAL (false). */
  readonly auto_disk_config?: boolean;
}

/** A network address handed to the driver and recorded in the info cache. */
export interface WireVif {
  readonly network: string;
  readonly address: string;
  readonly mac: string;
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
}
