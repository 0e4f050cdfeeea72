import type { Readable } from 'node:stream';
import type { PowerState } from '@nova/compute-state';

/** What a driver needs to start an instance. */
export interface InstanceSpec {
  readonly uuid: string;
  /** The hypervisor-side name (Nova's instance-%08x). */
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMb: number;
  readonly rootGb: number;
  readonly ephemeralGb: number;
  readonly image: {
    readonly id: string;
    readonly name?: string;
    readonly properties: Readonly<Record<string, string>>;
  };
  readonly userData?: string | null;
  readonly keyData?: string | null;
  readonly networks: ReadonlyArray<{ readonly address: string; readonly mac: string }>;
  /** The server's name (the fake driver's injected failures match it too). */
  readonly displayName?: string;
  /** The files of the instance's config drive, when it gets one (attached as a CD-ROM). */
  readonly configDrive?: readonly ConfigDriveFile[];
}

/** Options of a live migration (block_migration null: the driver decides, as `auto`). */
export interface LiveMigrationOptions {
  readonly blockMigration: boolean | null;
}

/** One file on a config drive: its path inside the drive and its bytes. */
export interface ConfigDriveFile {
  readonly path: string;
  readonly data: Buffer;
}

/** A hypervisor's capacity and identity, reported into compute_nodes. */
export interface HostResources {
  readonly hypervisorHostname: string;
  readonly hypervisorType: string;
  readonly hypervisorVersion: number;
  readonly vcpus: number;
  readonly memoryMb: number;
  readonly localGb: number;
  readonly cpuInfo: Record<string, unknown>;
  readonly hostIp: string;
}

/**
 * Nova's standard diagnostics (2.48), as a driver reports them. The same shape
 * as @nova/servers' ServerDiagnostics, written again on purpose: importing it
 * (even as a type) pulls libs/servers, and with it TypeORM, into nova-compute,
 * which the dependency rule forbids.
 */
export interface Diagnostics {
  readonly state: 'pending' | 'running' | 'paused' | 'shutdown' | 'crashed' | 'suspended';
  readonly driver: string;
  readonly hypervisor: string | null;
  readonly hypervisorOs: string | null;
  /** Seconds since the guest started. */
  readonly uptime: number | null;
  readonly configDrive: boolean;
  readonly memoryDetails: { readonly maximum: number; readonly used: number };
  readonly cpuDetails: ReadonlyArray<{ id: number; time: number; utilisation: number | null }>;
  readonly nicDetails: ReadonlyArray<{
    macAddress: string;
    rxOctets: number;
    rxPackets: number;
    txOctets: number;
    txPackets: number;
  }>;
  readonly diskDetails: ReadonlyArray<{
    readBytes: number;
    readRequests: number;
    writeBytes: number;
    writeRequests: number;
    errorsCount: number;
  }>;
}

/** What a rescue boots from, and the instance it rescues (its domain is redefined). */
export interface RescueSpec {
  readonly image: { readonly id: string; readonly name?: string | null };
  readonly adminPassword: string | null;
  readonly instance: InstanceSpec;
}

/** A snapshot of an instance's root disk, ready to upload. */
export interface SnapshotImage {
  /** qcow2, raw... (Glance's disk_format). */
  readonly diskFormat: string;
  readonly containerFormat: string;
  /** Bytes. */
  readonly size: number;
  /** The bytes from the start (called again when an upload is retried). */
  readonly open: () => Readable;
  /** Remove what the snapshot left on the host (a temporary file). */
  readonly dispose: () => Promise<void>;
}

/** A guest console the proxies connect to: vnc, spice, serial, mks. */
export type ConsoleKind = 'vnc' | 'spice' | 'serial' | 'mks';

/** Where a guest's console listens (Nova's ConsoleVNC, ConsoleSerial...). */
export interface ConsoleEndpoint {
  readonly host: string;
  readonly port: number;
  readonly internalAccessPath: string | null;
}

/** The operations Nova's compute manager asks of a hypervisor. */
export interface VirtDriver {
  readonly type: string;
  init(host: string): Promise<void>;
  hostResources(): Promise<HostResources>;
  /** UUIDs of the instances the hypervisor knows. */
  listInstances(): Promise<string[]>;
  spawn(instance: InstanceSpec): Promise<void>;
  destroy(uuid: string): Promise<void>;
  reboot(uuid: string, type: 'SOFT' | 'HARD'): Promise<void>;
  powerOff(uuid: string): Promise<void>;
  powerOn(uuid: string): Promise<void>;
  pause(uuid: string): Promise<void>;
  unpause(uuid: string): Promise<void>;
  suspend(uuid: string): Promise<void>;
  resume(uuid: string): Promise<void>;
  /** The power state as the hypervisor sees it (NOSTATE when it does not know the instance). */
  powerState(uuid: string): Promise<PowerState>;
  consoleOutput(uuid: string): Promise<string>;
  /** Boot the guest from the rescue image, its own root disk attached second. */
  rescue(uuid: string, rescue: RescueSpec): Promise<void>;
  /** Back to the guest's own disks. */
  unrescue(uuid: string): Promise<void>;
  /**
   * Set the guest's admin password (through a guest agent). Returns what the
   * guest posts back to the metadata service: the password encrypted with the
   * instance's public key, base64 (null when it posts nothing).
   */
  setAdminPassword(uuid: string, password: string): Promise<string | null>;
  /**
   * A copy of the instance's root disk as it is now (createImage, createBackup,
   * shelve); `rootGb` is its flavor's root disk size.
   */
  snapshot(uuid: string, rootGb: number): Promise<SnapshotImage>;
  /** Inject an NMI, so the guest writes a crash dump (trigger_crash_dump). */
  injectNmi(uuid: string): Promise<void>;
  diagnostics(uuid: string): Promise<Diagnostics>;
  /**
   * Where the guest's console of this kind listens. ConsoleUnavailable when the
   * guest has none (or is not running), UnsupportedConsole when the driver has
   * no such console at all.
   */
  consoleEndpoint(uuid: string, kind: ConsoleKind): Promise<ConsoleEndpoint>;
  /** The host's `uptime` line (os-hypervisors uptime). */
  hostUptime(): Promise<string>;
  /**
   * Cold move (resize or migration), on the source: power the guest off and
   * set its disks aside for the destination, kept for a revert. Refuses
   * (before changing anything) what cannot be done, as shrinking the root disk.
   */
  migrateDiskAndPowerOff(instance: InstanceSpec, target: InstanceSpec): Promise<void>;
  /** Cold move, on the destination: the guest with its (new) flavor, started when `powerOn`. */
  finishMigration(instance: InstanceSpec, powerOn: boolean): Promise<void>;
  /** Cold move confirmed, on the source: the set-aside guest goes (idempotent). */
  confirmMigration(uuid: string): Promise<void>;
  /** Cold move reverted, on the source: the set-aside guest is the guest again, started when `powerOn`. */
  finishRevertMigration(instance: InstanceSpec, powerOn: boolean): Promise<void>;
  /** Live migration, on the destination before it starts. */
  preLiveMigration(instance: InstanceSpec): Promise<void>;
  /**
   * Live migration, on the source: resolves once the guest runs on `destHost`;
   * rejects when it failed (MigrationAborted when aborted), the guest still running here.
   */
  liveMigration(
    instance: InstanceSpec,
    destHost: string,
    options: LiveMigrationOptions,
  ): Promise<void>;
  /** A running live migration: finish it now (pause the guest and copy what is left). */
  liveMigrationForceComplete(uuid: string): Promise<void>;
  /** A running live migration: stop it; the guest stays on the source. */
  liveMigrationAbort(uuid: string): Promise<void>;
  /** Live migration done, on the destination: the guest runs here now, in `power` state. */
  postLiveMigrationAtDestination(instance: InstanceSpec, power: PowerState): Promise<void>;
  /** Live migration failed, on the destination: drop what preLiveMigration prepared. */
  rollbackLiveMigrationAtDestination(uuid: string): Promise<void>;
  close(): Promise<void>;
}

/** The hypervisor could not do what was asked (a failed spawn triggers a reschedule). */
export class VirtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VirtError';
  }
}

/** A live migration stopped by an abort (the guest stays where it was). */
export class MigrationAborted extends VirtError {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationAborted';
  }
}

/** The guest has no console of that kind right now (not configured, not running). */
export class ConsoleUnavailable extends VirtError {
  constructor(
    readonly kind: ConsoleKind,
    message: string,
    /** The guest is not running: no console until it is (409 rather than 400). */
    readonly notRunning = false,
  ) {
    super(message);
    this.name = 'ConsoleUnavailable';
  }
}

/** The driver cannot serve this kind of console at all (Nova's NotImplementedError). */
export class UnsupportedConsole extends VirtError {
  constructor(readonly kind: ConsoleKind) {
    super(`The ${kind} console is not supported by this driver`);
    this.name = 'UnsupportedConsole';
  }
}
