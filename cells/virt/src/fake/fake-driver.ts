import { PowerState } from '@nova/compute-state';
import { sleep } from '@nova/common';
import { VirtError, type HostResources, type InstanceSpec, type VirtDriver } from '../virt-driver';

export interface FakeDriverOptions {
  readonly vcpus: number;
  readonly memoryMb: number;
  readonly localGb: number;
  /** Milliseconds a spawn takes. */
  readonly spawnDelayMs: number;
  /** Spawns of instances whose name or uuid matches this pattern fail (injected failures). */
  readonly failSpawnPattern?: RegExp;
}

interface FakeGuest {
  spec: InstanceSpec;
  power: PowerState;
  log: string[];
}

/**
 * A hypervisor that keeps guests in memory: exact resources, a configurable
 * spawn delay and injected spawn failures, and a console log per guest. Many
 * fake hosts can run in one process for scale tests.
 */
export class FakeDriver implements VirtDriver {
  readonly type = 'fake';
  private host = 'fake';
  private readonly guests = new Map<string, FakeGuest>();

  constructor(private readonly options: FakeDriverOptions) {}

  init(host: string): Promise<void> {
    this.host = host;
    return Promise.resolve();
  }

  hostResources(): Promise<HostResources> {
    return Promise.resolve({
      hypervisorHostname: this.host,
      hypervisorType: 'fake',
      hypervisorVersion: 1000,
      vcpus: this.options.vcpus,
      memoryMb: this.options.memoryMb,
      localGb: this.options.localGb,
      cpuInfo: {
        arch: 'x86_64',
        model: 'Nehalem',
        vendor: 'Intel',
        features: ['pge', 'clflush'],
        topology: { cores: 1, threads: 1, sockets: this.options.vcpus },
      },
      hostIp: '127.0.0.1',
    });
  }

  listInstances(): Promise<string[]> {
    return Promise.resolve([...this.guests.keys()]);
  }

  async spawn(instance: InstanceSpec): Promise<void> {
    if (this.options.spawnDelayMs > 0) {
      await sleep(this.options.spawnDelayMs);
    }
    const pattern = this.options.failSpawnPattern;
    if (pattern && (pattern.test(instance.name) || pattern.test(instance.uuid))) {
      throw new VirtError(`Injected spawn failure for ${instance.uuid} on ${this.host}`);
    }
    this.guests.set(instance.uuid, {
      spec: instance,
      power: PowerState.RUNNING,
      log: [`[fake] ${instance.name} booted on ${this.host}`],
    });
  }

  destroy(uuid: string): Promise<void> {
    this.guests.delete(uuid);
    return Promise.resolve();
  }

  reboot(uuid: string, type: 'SOFT' | 'HARD'): Promise<void> {
    const guest = this.guest(uuid);
    guest.power = PowerState.RUNNING;
    guest.log.push(`[fake] ${type.toLowerCase()} reboot`);
    return Promise.resolve();
  }

  powerOff(uuid: string): Promise<void> {
    return this.set(uuid, PowerState.SHUTDOWN, 'powered off');
  }

  powerOn(uuid: string): Promise<void> {
    return this.set(uuid, PowerState.RUNNING, 'powered on');
  }

  pause(uuid: string): Promise<void> {
    return this.set(uuid, PowerState.PAUSED, 'paused');
  }

  unpause(uuid: string): Promise<void> {
    return this.set(uuid, PowerState.RUNNING, 'unpaused');
  }

  suspend(uuid: string): Promise<void> {
    return this.set(uuid, PowerState.SUSPENDED, 'suspended');
  }

  resume(uuid: string): Promise<void> {
    return this.set(uuid, PowerState.RUNNING, 'resumed');
  }

  powerState(uuid: string): Promise<PowerState> {
    return Promise.resolve(this.guests.get(uuid)?.power ?? PowerState.NOSTATE);
  }

  consoleOutput(uuid: string): Promise<string> {
    return Promise.resolve(`${this.guest(uuid).log.join('\n')}\n`);
  }

  /** Tests: make the hypervisor disagree with the database (power sync picks it up). */
  setPowerState(uuid: string, power: PowerState): void {
    this.guest(uuid).power = power;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private guest(uuid: string): FakeGuest {
    const guest = this.guests.get(uuid);
    if (!guest) {
      throw new VirtError(`Instance ${uuid} not found on ${this.host}`);
    }
    return guest;
  }

  private set(uuid: string, power: PowerState, event: string): Promise<void> {
    const guest = this.guest(uuid);
    guest.power = power;
    guest.log.push(`[fake] ${event}`);
    return Promise.resolve();
  }
}
