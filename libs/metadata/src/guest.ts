/**
 * What a guest is told about itself, wherever it asks: the metadata service
 * (read from the API and cell databases) or the config drive (built on the
 * compute host from the build's message). Plain data, so both sides build the
 * same trees.
 */

/** One NIC: its address and, when known, the subnet it is on. */
export interface GuestVif {
  readonly network: string;
  readonly address: string;
  readonly mac: string;
  /** The port (or flat-network VIF) id. */
  readonly id?: string;
  readonly network_id?: string;
  /** The subnet, e.g. 10.0.0.0/16: with it the guest gets a static address. */
  readonly cidr?: string;
  readonly gateway?: string | null;
}

export interface GuestInstance {
  readonly uuid: string;
  /** The cell-local instance id: EC2's `i-%08x`, as the hypervisor's `instance-%08x`. */
  readonly id: number;
  /** The display name. */
  readonly name: string;
  readonly hostname: string;
  readonly availabilityZone: string | null;
  readonly projectId: string;
  readonly launchIndex: number;
  readonly reservationId: string;
  readonly keyName: string | null;
  readonly keyData: string | null;
  /** Base64, as the API took it. */
  readonly userData: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly securityGroups: readonly string[];
  readonly flavorName: string;
  readonly imageId: string;
  readonly rootDeviceName: string | null;
  readonly ephemeralGb: number;
  readonly vifs: readonly GuestVif[];
}

/** Deployment-wide settings the trees depend on (`[api]` options). */
export interface MetadataOptions {
  /** `[api] dhcp_domain`: appended to the hostname (empty: nothing). */
  readonly dhcpDomain: string;
  /** vendor_data.json (`[api] vendordata_jsonfile_path`'s content, or {}). */
  readonly vendorData: Readonly<Record<string, unknown>>;
}

/** Only the config drive knows these: they are never stored. */
export interface DriveExtras {
  /** The create's (or rebuild's) adminPass: `admin_pass` in meta_data.json. */
  readonly adminPass?: string | null;
  /** Personality files (before 2.57): contents base64. */
  readonly files?: ReadonlyArray<{ readonly path: string; readonly contents: string }>;
}

/** `instance-0000002a` -> 42 (the cell-local id the hypervisor name encodes); 0 when not of that form. */
export function idFromInstanceName(name: string | null | undefined): number {
  const match = /^instance-([0-9a-f]+)$/i.exec(name ?? '');
  return match ? parseInt(match[1], 16) : 0;
}

/** The hostname with `[api] dhcp_domain`, as Nova shows it to the guest. */
export function guestHostname(guest: GuestInstance, options: MetadataOptions): string {
  return options.dhcpDomain ? `${guest.hostname}.${options.dhcpDomain}` : guest.hostname;
}

/** The user data as bytes (null when the server has none). */
export function userDataBytes(guest: GuestInstance): Buffer | null {
  return guest.userData === null ? null : Buffer.from(guest.userData, 'base64');
}

/** A keypair's type from its public key (the instance keeps only the key itself). */
export function keyType(keyData: string): 'ssh' | 'x509' {
  return keyData.trimStart().startsWith('-----BEGIN CERTIFICATE') ? 'x509' : 'ssh';
}
