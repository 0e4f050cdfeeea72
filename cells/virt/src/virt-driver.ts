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
  close(): Promise<void>;
}

/** The hypervisor could not do what was asked (a failed spawn triggers a reschedule). */
export class VirtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VirtError';
  }
}
