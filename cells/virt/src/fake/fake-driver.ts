import { constants, publicEncrypt } from 'node:crypto';
import { mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { parseKey, type Key } from 'sshpk';
import { PowerState } from '@nova/compute-state';
import { sleep } from '@nova/common';
import { CONFIG_DRIVE_FILE, makeConfigDrive } from '../config-drive';
import { formatUptime } from '../host-uptime';
import { FakeConsole } from './fake-console';
import {
  MigrationAborted,
  ConsoleUnavailable,
  VirtError,
  type ConsoleEndpoint,
  type ConsoleKind,
  type Diagnostics,
  type HostResources,
  type InstanceSpec,
  type LiveMigrationOptions,
  type RescueSpec,
  type SnapshotImage,
  type VirtDriver,
} from '../virt-driver';

export interface FakeDriverOptions {
  readonly vcpus: number;
  readonly memoryMb: number;
  readonly localGb: number;
  /** Milliseconds a spawn takes. */
  readonly spawnDelayMs: number;
  /**
   * Spawns of instances whose name or uuid, or the name of the image they
   * boot from, matches this pattern fail (injected failures).
   */
  readonly failSpawnPattern?: RegExp;
  /** Snapshots of instances whose name or uuid, or image id or name, matches this pattern fail. */
  readonly failSnapshotPattern?: RegExp;
  /** Cold moves of matching instances fail on the source, the guest untouched. */
  readonly failMigratePattern?: RegExp;
  /** Cold moves of matching instances fail on the destination, when the guest starts there. */
  readonly failFinishPattern?: RegExp;
  /** Live migrations of matching instances fail on the source. */
  readonly failLiveMigrationPattern?: RegExp;
  /** Live migrations of matching instances run until force-completed or aborted. */
  readonly holdLiveMigrationPattern?: RegExp;
  /** `[DEFAULT] state_path`: config drives are written to <statePath>/instances/<uuid>/disk.config. */
  readonly statePath?: string;
  /** `[DEFAULT] mkisofs_cmd`. */
  readonly mkisofsCmd?: string;
}

/** How long a held live migration runs at most before it completes on its own. */
const HELD_MIGRATION_MS = 5 * 60_000;

/** Whether the pattern names the instance (hypervisor name, uuid or display name) or one of `also`. */
function matches(
  pattern: RegExp | undefined,
  instance: InstanceSpec,
  also: readonly string[] = [],
): boolean {
  return (
    pattern !== undefined &&
    [instance.name, instance.uuid, instance.displayName ?? '', ...also]
      .filter((t) => t !== '')
      .some((t) => pattern.test(t))
  );
}

interface FakeGuest {
  spec: InstanceSpec;
  power: PowerState;
  log: string[];
  startedAt: number;
  /** The image a rescue booted it from. */
  rescuedFrom: string | null;
  adminPassword: string | null;
  /** The config drive's ISO file, when the guest has one. */
  configDrive: string | null;
  /** Its console server, opened when a console is first asked for. */
  console?: FakeConsole;
}

/** What a booting guest prints on its serial console (a few lines, as a real boot does). */
function bootLog(instance: InstanceSpec, host: string): string[] {
  const image = instance.image.name ?? instance.image.id;
  return [
    `[fake] ${instance.name} booting on ${host} from image ${image}`,
    `[fake] ${instance.vcpus} vCPU, ${instance.memoryMb} MB RAM, ${instance.rootGb} GB root disk`,
    ...instance.networks.map((n, i) => `[fake] eth${i}: ${n.mac} ${n.address}`),
    ...(instance.configDrive ? ['[fake] cloud-init: datasource ConfigDrive (config-2)'] : []),
    `[fake] cloud-init: reached target network`,
    `${instance.name} login:`,
  ];
}

/** RSA PKCS#1 v1.5 with the instance's OpenSSH public key, base64 (what `nova get-password` decrypts). */
function encryptForKey(publicKey: string | null, secret: string): string | null {
  if (!publicKey) {
    return null;
  }
  let key: Key;
  try {
    key = parseKey(publicKey, 'ssh');
  } catch {
    return null;
  }
  if (key.type !== 'rsa') {
    return null; // only RSA keys encrypt
  }
  return publicEncrypt(
    { key: key.toString('pkcs8'), padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(secret),
  ).toString('base64');
}

const DIAGNOSTIC_STATES: Partial<Record<PowerState, Diagnostics['state']>> = {
  [PowerState.RUNNING]: 'running',
  [PowerState.PAUSED]: 'paused',
  [PowerState.SHUTDOWN]: 'shutdown',
  [PowerState.CRASHED]: 'crashed',
  [PowerState.SUSPENDED]: 'suspended',
};

/**
 * A hypervisor that keeps guests in memory: exact resources, a configurable
 * spawn delay and injected spawn failures, and a console log per guest. Many
 * fake hosts can run in one process for scale tests.
 */
export class FakeDriver implements VirtDriver {
  readonly type = 'fake';
  private host = 'fake';
  /** When the fake host "booted": its uptime counts from here. */
  private bootedAt = Date.now();
  private readonly guests = new Map<string, FakeGuest>();
  /** Guests a cold move took away, kept until it is confirmed or reverted. */
  private readonly setAside = new Map<string, FakeGuest>();
  /** Live migrations under way: how to end them early. */
  private readonly running = new Map<string, (how: 'complete' | 'abort') => void>();

  constructor(private readonly options: FakeDriverOptions) {}

  init(host: string): Promise<void> {
    this.host = host;
    this.bootedAt = Date.now();
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
    if (matches(this.options.failSpawnPattern, instance, [instance.image.name ?? ''])) {
      throw new VirtError(`Injected spawn failure for ${instance.uuid} on ${this.host}`);
    }
    const configDrive = instance.configDrive ? await this.writeConfigDrive(instance) : null;
    this.guests.set(instance.uuid, {
      spec: instance,
      power: PowerState.RUNNING,
      log: bootLog(instance, this.host),
      startedAt: Date.now(),
      rescuedFrom: null,
      adminPassword: null,
      configDrive,
    });
  }

  async destroy(uuid: string): Promise<void> {
    const guest = this.guests.get(uuid);
    this.guests.delete(uuid);
    await guest?.console?.close();
    if (guest?.configDrive) {
      await rm(guest.configDrive, { force: true });
      await rmdir(join(guest.configDrive, '..')).catch(() => undefined); // only if nothing else is there
    }
  }

  /** The drive as a real ISO under the state path, so tests (and curious users) can open it. */
  private async writeConfigDrive(instance: InstanceSpec): Promise<string> {
    if (!this.options.statePath || !/^[0-9a-f-]{36}$/i.test(instance.uuid)) {
      throw new VirtError(`No config drive for ${instance.uuid}: the fake host has no state path`);
    }
    const path = join(this.options.statePath, 'instances', instance.uuid, CONFIG_DRIVE_FILE);
    await makeConfigDrive(
      instance.configDrive ?? [],
      path,
      this.options.mkisofsCmd ?? 'genisoimage',
    );
    return path;
  }

  /** Where a cold move's source keeps the guest's config drive until confirm or revert. */
  private setAsideDrive(uuid: string): string {
    return join(this.options.statePath ?? '', 'instances', `${uuid}_resize`, CONFIG_DRIVE_FILE);
  }

  reboot(uuid: string, type: 'SOFT' | 'HARD'): Promise<void> {
    const guest = this.guest(uuid);
    guest.power = PowerState.RUNNING;
    guest.log.push(`[fake] ${type.toLowerCase()} reboot`);
    return Promise.resolve();
  }

  async powerOff(uuid: string): Promise<void> {
    await this.set(uuid, PowerState.SHUTDOWN, 'powered off');
    await this.closeConsole(uuid);
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

  async suspend(uuid: string): Promise<void> {
    await this.set(uuid, PowerState.SUSPENDED, 'suspended');
    await this.closeConsole(uuid);
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

  rescue(uuid: string, rescue: RescueSpec): Promise<void> {
    const guest = this.guest(uuid);
    if (guest.rescuedFrom !== null) {
      throw new VirtError(`Instance ${uuid} is already rescued`);
    }
    guest.rescuedFrom = rescue.image.id;
    guest.power = PowerState.RUNNING;
    guest.startedAt = Date.now();
    guest.log.push(`[fake] rescue boot from image ${rescue.image.name ?? rescue.image.id}`);
    return Promise.resolve();
  }

  unrescue(uuid: string): Promise<void> {
    const guest = this.guest(uuid);
    guest.rescuedFrom = null;
    guest.power = PowerState.RUNNING;
    guest.startedAt = Date.now();
    guest.log.push('[fake] unrescued: booting from its own disk');
    return Promise.resolve();
  }

  /** Like cloudbase-init, the fake guest posts its password encrypted with an RSA key, if it has one. */
  setAdminPassword(uuid: string, password: string): Promise<string | null> {
    const guest = this.guest(uuid);
    if (guest.power !== PowerState.RUNNING) {
      throw new VirtError(`Instance ${uuid} is not running: no guest agent to set the password`);
    }
    guest.adminPassword = password;
    guest.log.push('[fake] guest agent: admin password changed');
    return Promise.resolve(encryptForKey(guest.spec.keyData ?? null, password));
  }

  /**
   * A few bytes that say what was snapshotted (the fake guest has no disk):
   * a `raw` image naming the instance, its image and the moment.
   */
  snapshot(uuid: string, _rootGb: number): Promise<SnapshotImage> {
    const guest = this.guest(uuid);
    const pattern = this.options.failSnapshotPattern;
    const { name, image } = guest.spec;
    if (pattern && [name, uuid, image.id, image.name ?? ''].some((t) => pattern.test(t))) {
      return Promise.reject(new VirtError(`Injected snapshot failure for ${uuid} on ${this.host}`));
    }
    const bytes = Buffer.from(
      `fake disk of ${guest.spec.name} (${uuid}) from image ${guest.spec.image.id}, ` +
        `snapshot on ${this.host} at ${new Date().toISOString()}\n`,
    );
    guest.log.push('[fake] disk snapshot taken');
    return Promise.resolve({
      diskFormat: 'raw',
      containerFormat: 'bare',
      size: bytes.length,
      open: () => Readable.from([bytes]),
      dispose: () => Promise.resolve(),
    });
  }

  injectNmi(uuid: string): Promise<void> {
    this.guest(uuid).log.push('[fake] NMI received: writing a crash dump');
    return Promise.resolve();
  }

  diagnostics(uuid: string): Promise<Diagnostics> {
    const guest = this.guest(uuid);
    const { spec } = guest;
    const running = guest.power === PowerState.RUNNING;
    const seconds = Math.floor((Date.now() - guest.startedAt) / 1000);
    return Promise.resolve({
      state: DIAGNOSTIC_STATES[guest.power] ?? 'pending',
      // Nova's fake driver reports as libvirt: the API's enum knows no 'fake' driver.
      driver: 'libvirt',
      hypervisor: 'fake',
      hypervisorOs: 'fake-os',
      uptime: running ? seconds : null,
      configDrive: guest.configDrive !== null,
      memoryDetails: { maximum: spec.memoryMb, used: running ? Math.ceil(spec.memoryMb / 4) : 0 },
      cpuDetails: Array.from({ length: spec.vcpus }, (_, id) => ({
        id,
        time: seconds * 1_000_000_000,
        utilisation: running ? 1 : 0,
      })),
      nicDetails: spec.networks.map((n) => ({
        macAddress: n.mac,
        rxOctets: 0,
        rxPackets: 0,
        txOctets: 0,
        txPackets: 0,
      })),
      diskDetails: [
        { readBytes: 0, readRequests: 0, writeBytes: 0, writeRequests: 0, errorsCount: 0 },
      ],
    });
  }

  /** Every kind of console is the guest's one echoing login prompt, while it runs or is paused. */
  async consoleEndpoint(uuid: string, kind: ConsoleKind): Promise<ConsoleEndpoint> {
    const guest = this.guest(uuid);
    if (guest.power !== PowerState.RUNNING && guest.power !== PowerState.PAUSED) {
      throw new ConsoleUnavailable(kind, `Instance ${uuid} is not running`, true);
    }
    guest.console ??= new FakeConsole(guest.spec.name);
    return { host: '127.0.0.1', port: await guest.console.port(), internalAccessPath: null };
  }

  /** Up since the driver started, one user, a load of one busy vCPU per running guest. */
  hostUptime(): Promise<string> {
    const running = [...this.guests.values()].filter((g) => g.power === PowerState.RUNNING);
    const load = Math.min(running.length, this.options.vcpus);
    return Promise.resolve(
      formatUptime(new Date(), (Date.now() - this.bootedAt) / 1000, 1, [load, load, load]),
    );
  }

  /**
   * The guest stops and is set aside for a revert; its config drive moves to
   * <uuid>_resize (as libvirt's instance directory does), so a destination
   * sharing the state path writes its own without touching it.
   */
  async migrateDiskAndPowerOff(instance: InstanceSpec, target: InstanceSpec): Promise<void> {
    const guest = this.guest(instance.uuid);
    if (target.rootGb < instance.rootGb) {
      throw new VirtError('Unable to resize disk down.');
    }
    if (matches(this.options.failMigratePattern, instance)) {
      throw new VirtError(`Injected migration failure for ${instance.uuid} on ${this.host}`);
    }
    if (this.options.spawnDelayMs > 0) {
      await sleep(this.options.spawnDelayMs); // "copying the disk"
    }
    guest.power = PowerState.SHUTDOWN;
    guest.log.push('[fake] powered off: disk copied for the move');
    await this.closeConsole(instance.uuid);
    if (guest.configDrive) {
      const aside = this.setAsideDrive(instance.uuid);
      await mkdir(dirname(aside), { recursive: true });
      await rename(guest.configDrive, aside);
      await rmdir(dirname(guest.configDrive)).catch(() => undefined);
      guest.configDrive = aside;
    }
    this.guests.delete(instance.uuid);
    this.setAside.set(instance.uuid, guest);
  }

  async finishMigration(instance: InstanceSpec, powerOn: boolean): Promise<void> {
    if (matches(this.options.failFinishPattern, instance)) {
      throw new VirtError(`Injected finish failure for ${instance.uuid} on ${this.host}`);
    }
    if (this.guests.has(instance.uuid)) {
      throw new VirtError(`Instance ${instance.uuid} already exists on ${this.host}`);
    }
    if (this.options.spawnDelayMs > 0) {
      await sleep(this.options.spawnDelayMs);
    }
    // Nova builds the drive again on the destination (the new flavor, no password).
    const configDrive = instance.configDrive ? await this.writeConfigDrive(instance) : null;
    this.guests.set(instance.uuid, {
      spec: instance,
      power: powerOn ? PowerState.RUNNING : PowerState.SHUTDOWN,
      log: [...bootLog(instance, this.host), ...(powerOn ? [] : ['[fake] powered off'])],
      startedAt: Date.now(),
      rescuedFrom: null,
      adminPassword: null,
      configDrive,
    });
  }

  async confirmMigration(uuid: string): Promise<void> {
    const guest = this.setAside.get(uuid);
    this.setAside.delete(uuid);
    if (guest?.configDrive) {
      await rm(dirname(guest.configDrive), { recursive: true, force: true });
    }
  }

  async finishRevertMigration(instance: InstanceSpec, powerOn: boolean): Promise<void> {
    const guest = this.setAside.get(instance.uuid);
    if (!guest) {
      throw new VirtError(`Instance ${instance.uuid} has no copy set aside on ${this.host}`);
    }
    if (guest.configDrive && this.options.statePath) {
      const back = join(this.options.statePath, 'instances', instance.uuid, CONFIG_DRIVE_FILE);
      await mkdir(dirname(back), { recursive: true });
      await rename(guest.configDrive, back);
      await rmdir(dirname(guest.configDrive)).catch(() => undefined);
      guest.configDrive = back;
    }
    this.setAside.delete(instance.uuid);
    guest.spec = instance;
    guest.power = powerOn ? PowerState.RUNNING : PowerState.SHUTDOWN;
    guest.startedAt = Date.now();
    guest.log.push(`[fake] resize reverted${powerOn ? ': powered on' : ''}`);
    this.guests.set(instance.uuid, guest);
  }

  preLiveMigration(instance: InstanceSpec): Promise<void> {
    if (this.guests.has(instance.uuid)) {
      throw new VirtError(`Instance ${instance.uuid} already exists on ${this.host}`);
    }
    return Promise.resolve();
  }

  async liveMigration(
    instance: InstanceSpec,
    destHost: string,
    options: LiveMigrationOptions,
  ): Promise<void> {
    const guest = this.guest(instance.uuid);
    if (matches(this.options.failLiveMigrationPattern, instance)) {
      throw new VirtError(`Injected live migration failure for ${instance.uuid} on ${this.host}`);
    }
    let outcome: 'complete' | 'abort' = 'complete';
    if (matches(this.options.holdLiveMigrationPattern, instance)) {
      outcome = await new Promise<'complete' | 'abort'>((resolve) => {
        const timer = setTimeout(() => resolve('complete'), HELD_MIGRATION_MS);
        timer.unref();
        this.running.set(instance.uuid, (how) => {
          clearTimeout(timer);
          resolve(how);
        });
      });
      this.running.delete(instance.uuid);
    }
    if (outcome === 'abort') {
      guest.log.push(`[fake] live migration to ${destHost} aborted`);
      throw new MigrationAborted(`Live migration of ${instance.uuid} was aborted`);
    }
    const mode = options.blockMigration === null ? 'auto' : String(options.blockMigration);
    guest.log.push(`[fake] live migrated to ${destHost} (block_migration ${mode})`);
    // The guest left, its console sessions with it; its config drive is the destination's now.
    await this.closeConsole(instance.uuid);
    guest.configDrive = null;
  }

  async liveMigrationForceComplete(uuid: string): Promise<void> {
    await this.control(uuid, 'complete');
  }

  async liveMigrationAbort(uuid: string): Promise<void> {
    await this.control(uuid, 'abort');
  }

  /** The guest arrives (with the copy of its config drive, written here from the spec). */
  async postLiveMigrationAtDestination(instance: InstanceSpec, power: PowerState): Promise<void> {
    const configDrive = instance.configDrive ? await this.writeConfigDrive(instance) : null;
    this.guests.set(instance.uuid, {
      spec: instance,
      power,
      log: [`[fake] ${instance.name} arrived on ${this.host} by live migration`],
      startedAt: Date.now(),
      rescuedFrom: null,
      adminPassword: null,
      configDrive,
    });
  }

  rollbackLiveMigrationAtDestination(uuid: string): Promise<void> {
    return this.destroy(uuid);
  }

  /** Tests: the password the guest agent was given, and the image a rescue booted from. */
  guestState(uuid: string): { adminPassword: string | null; rescuedFrom: string | null } {
    const { adminPassword, rescuedFrom } = this.guest(uuid);
    return { adminPassword, rescuedFrom };
  }

  /** Tests: make the hypervisor disagree with the database (power sync picks it up). */
  setPowerState(uuid: string, power: PowerState): void {
    this.guest(uuid).power = power;
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.guests.values()].map((g) => g.console?.close() ?? Promise.resolve()),
    );
  }

  private control(uuid: string, how: 'complete' | 'abort'): Promise<void> {
    const end = this.running.get(uuid);
    if (!end) {
      return Promise.reject(
        new VirtError(`No live migration of ${uuid} is running on ${this.host}`),
      );
    }
    end(how);
    return Promise.resolve();
  }

  private guest(uuid: string): FakeGuest {
    const guest = this.guests.get(uuid);
    if (!guest) {
      throw new VirtError(`Instance ${uuid} not found on ${this.host}`);
    }
    return guest;
  }

  private async closeConsole(uuid: string): Promise<void> {
    const guest = this.guests.get(uuid);
    const open = guest?.console;
    if (guest && open) {
      guest.console = undefined;
      await open.close();
    }
  }

  private set(uuid: string, power: PowerState, event: string): Promise<void> {
    const guest = this.guest(uuid);
    guest.power = power;
    guest.log.push(`[fake] ${event}`);
    return Promise.resolve();
  }
}
