import type { WireVif } from '@nova/compute-rpc';

/**
 * A server as the compute API sees it, wherever it lives: an instance row of a
 * cell (with its extras) or a build request not yet scheduled. Cell adapters
 * produce it; views render it per microversion.
 */
export interface ServerRecord {
  readonly uuid: string;
  readonly display_name: string | null;
  readonly display_description: string | null;
  readonly user_id: string;
  readonly project_id: string;
  readonly image_ref: string | null;
  readonly flavor: ServerFlavor;
  readonly key_name: string | null;
  readonly key_data: string | null;
  readonly user_data: string | null;
  readonly hostname: string | null;
  readonly vm_state: string;
  readonly task_state: string | null;
  readonly power_state: number;
  readonly host: string | null;
  readonly node: string | null;
  readonly availability_zone: string | null;
  readonly access_ip_v4: string | null;
  readonly access_ip_v6: string | null;
  readonly config_drive: string | null;
  readonly locked: boolean;
  readonly locked_by: string | null;
  readonly locked_reason: string | null;
  readonly launch_index: number | null;
  readonly reservation_id: string | null;
  readonly progress: number | null;
  readonly launched_at: Date | null;
  readonly terminated_at: Date | null;
  readonly created_at: Date;
  readonly updated_at: Date | null;
  readonly deleted: boolean;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  /** Addresses per network name. */
  readonly addresses: Readonly<Record<string, readonly ServerAddress[]>>;
  readonly fault: ServerFault | null;
  readonly security_groups: readonly string[];
  /** The instance's hypervisor-side name (instance-%08x). */
  readonly instance_name: string | null;
  readonly root_device_name: string | null;
  /** Which cell it lives in (null: still a build request). */
  readonly cell_uuid: string | null;
  /** OS-DCF:diskConfig AUTO (true) or MANUAL (false/absent). */
  readonly auto_disk_config?: boolean | null;
  /** Shown to admins from 2.3 ('' when absent, as Nova). */
  readonly kernel_id?: string | null;
  readonly ramdisk_id?: string | null;
  /** trusted_image_certificates (2.63); null/absent: none requested. */
  readonly trusted_certs?: readonly string[] | null;
  /** The flavor's API-database id, for the `instance_type_id` sort key. */
  readonly instance_type_id?: number | null;
}

/** The flavor embedded in an instance at build time (shown in full from 2.47). */
export interface ServerFlavor {
  readonly flavorid: string;
  readonly name: string;
  readonly vcpus: number;
  readonly memory_mb: number;
  readonly root_gb: number;
  readonly ephemeral_gb: number;
  readonly swap: number;
  readonly extra_specs: Readonly<Record<string, string>>;
}

export interface ServerAddress {
  readonly version: 4 | 6;
  readonly addr: string;
  readonly mac: string;
  readonly type: 'fixed' | 'floating';
}

export interface ServerFault {
  readonly code: number;
  readonly message: string;
  readonly details: string | null;
  readonly created: Date;
}

/** A cell that did not answer a listing: its servers are shown minimal (2.69) or skipped. */
export interface UnknownServer {
  readonly uuid: string;
  readonly project_id: string;
  readonly created_at: Date | null;
  readonly cell_uuid: string;
  /**
   * GET /servers/{id} only (from the request spec): with `flavor` set the
   * minimal record also shows image, flavor, AZ, power_state and user_id.
   */
  readonly flavor?: ServerFlavor;
  readonly image_ref?: string | null;
  readonly availability_zone?: string | null;
  readonly user_id?: string | null;
}

/** The server's fixed addresses as the driver's NICs. */
export function vifsOf(server: Pick<ServerRecord, 'addresses'>): WireVif[] {
  return Object.entries(server.addresses).flatMap(([network, addresses]) =>
    addresses
      .filter((a) => a.type === 'fixed')
      .map((a) => ({ network, address: a.addr, mac: a.mac })),
  );
}
