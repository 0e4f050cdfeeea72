import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { sleep } from '@nova/common';
import { PowerState } from '@nova/compute-state';
import type { NovaConfig } from '@nova/config';
import { makeConfigDrive } from '../config-drive';
import {
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
import { DomainState, loadLibvirt, type Domain, type Hypervisor } from './binding';
import { consoleFromDomainXml, type ConsoleProxyClientAddresses } from './domain-consoles';
import { buildDomainXml, InstanceFiles } from './domain-xml';
import { exists, isNoDomain, messageOf, virt } from './errors';
import { diskGb, firstHostIp, hostUptimeLine } from './host-facts';
import { powerStateOf } from './power-state';

export interface LibvirtDriverOptions {
  /** [libvirt] connection_uri. */
  readonly uri: string;
  /** [libvirt] virt_type; test:/// URIs always get domain type 'test'. */
  readonly virtType: string;
  /** [DEFAULT] state_path; instance files go to <statePath>/instances/<uuid>/. */
  readonly statePath: string;
  /** Libvirt network the NICs join. */
  readonly network?: string;
  /** How long a clean shutdown may take before power off / soft reboot turn hard (Nova: 60 s). */
  readonly shutdownTimeoutMs?: number;
  /** `[DEFAULT] mkisofs_cmd`, which builds config drives. */
  readonly mkisofsCmd?: string;
  /** [vnc] server_listen when [vnc] enabled: new domains get VNC graphics there. */
  readonly vncListen?: string;
  /** Where the proxies reach this host's consoles (default 127.0.0.1). */
  readonly consoleAddresses?: ConsoleProxyClientAddresses;
}

/** Driver options from nova.conf. */
export function libvirtDriverOptions(
  config: Pick<NovaConfig, 'libvirt' | 'DEFAULT' | 'vnc' | 'spice' | 'serial_console'>,
): LibvirtDriverOptions {
  return {
    uri: config.libvirt.connection_uri,
    virtType: config.libvirt.virt_type,
    statePath: config.DEFAULT.state_path,
    mkisofsCmd: config.DEFAULT.mkisofs_cmd,
    ...(config.vnc.enabled ? { vncListen: config.vnc.server_listen } : {}),
    consoleAddresses: {
      vnc: config.vnc.server_proxyclient_address,
      spice: config.spice.server_proxyclient_address,
      serial: config.serial_console.proxyclient_address,
    },
  };
}

const LOOPBACK_CONSOLES: ConsoleProxyClientAddresses = {
  vnc: '127.0.0.1',
  spice: '127.0.0.1',
  serial: '127.0.0.1',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Nova's MAX_CONSOLE_BYTES: the console log is returned from its tail. */
const MAX_CONSOLE_BYTES = 100 * 1024;
const SHUTDOWN_POLL_MS = 250;
/** test:///default ships a running domain of this name; it is not an instance. */
const TEST_DRIVER_FIXTURE = 'test';

const run = promisify(execFile);

/** qemu-img with `args`; its stderr in the VirtError when it fails (or is missing). */
async function qemuImg(args: string[]): Promise<void> {
  try {
    await run('qemu-img', args, { timeout: 3_600_000 });
  } catch (err) {
    const e = err as { stderr?: string; code?: unknown };
    const reason = e.code === 'ENOENT' ? 'qemu-img is not installed' : (e.stderr ?? messageOf(err));
    throw new VirtError(`qemu-img ${args[0]} failed: ${String(reason).trim()}`);
  }
}

/**
 * Nova's libvirt driver over @unraid/libvirt. The binding has no reboot, reset,
 * managed save or version calls, so reboots are shutdown/destroy plus start, and
 * suspend saves the guest's memory to a file in the instance directory.
 */
export class LibvirtDriver implements VirtDriver {
  readonly type = 'libvirt';
  private conn: Hypervisor | null = null;
  private host = '';
  private readonly scheme: string;

  constructor(private readonly options: LibvirtDriverOptions) {
    this.scheme = (/^([a-z0-9+.-]+):/i.exec(options.uri)?.[1] ?? '').toLowerCase();
  }

  private get isTestDriver(): boolean {
    return this.scheme === 'test';
  }

  async init(host: string): Promise<void> {
    this.host = host;
    const { Hypervisor } = await virt('load', loadLibvirt);
    const conn = new Hypervisor({ uri: this.options.uri });
    await virt(`connect to ${this.options.uri}`, () => conn.connectOpen());
    this.conn = conn;
  }

  async hostResources(): Promise<HostResources> {
    const conn = this.connection();
    const node = await virt('nodeGetInfo', () => conn.nodeGetInfo());
    // The test driver's hostname is a constant; many test hosts need distinct names.
    const hostname = this.isTestDriver
      ? this.host
      : await virt('getHostname', () => conn.connectGetHostname());
    return {
      hypervisorHostname: hostname,
      // libvirt's virConnectGetType: 'QEMU' for qemu(+ssh):// , 'TEST' for test://.
      hypervisorType: this.scheme.split('+')[0].toUpperCase(),
      // No virConnectGetVersion in the binding; the test driver's is 2, others unknown (0).
      hypervisorVersion: this.isTestDriver ? 2 : 0,
      vcpus: node.cpus,
      memoryMb: Math.floor(node.memory / 1024),
      localGb: await diskGb(this.options.statePath),
      cpuInfo: {
        arch: node.model,
        topology: {
          cells: node.nodes,
          sockets: node.sockets,
          cores: node.cores,
          threads: node.threads,
        },
        mhz: node.mhz,
        features: [],
      },
      hostIp: firstHostIp(),
    };
  }

  async listInstances(): Promise<string[]> {
    const conn = this.connection();
    const domains = await virt('listAllDomains', () => conn.connectListAllDomains());
    const uuids: string[] = [];
    for (const domain of domains) {
      if (
        this.isTestDriver &&
        (await virt('getName', () => domain.getName())) === TEST_DRIVER_FIXTURE
      ) {
        continue;
      }
      uuids.push(await virt('getUUIDString', () => domain.getUUIDString()));
    }
    return uuids;
  }

  async spawn(instance: InstanceSpec): Promise<void> {
    await this.createGuest(instance, true);
  }

  /** Define the guest from its XML in a new instance directory, and start it when `start`. */
  private async createGuest(instance: InstanceSpec, start: boolean): Promise<void> {
    const conn = this.connection();
    const dir = this.instanceDir(instance.uuid);
    // defineXML would silently redefine a domain of the same uuid and name.
    if (await this.lookup(instance.uuid)) {
      throw new VirtError(`Instance ${instance.uuid} already exists on ${this.options.uri}`);
    }
    const xml = buildDomainXml(instance, {
      domainType: this.isTestDriver ? 'test' : this.options.virtType,
      instanceDir: dir,
      network: this.options.network ?? 'default',
      configDrive: Boolean(instance.configDrive),
      ...(this.options.vncListen ? { vncListen: this.options.vncListen } : {}),
    });
    // Image download and disk creation belong to an image backend; the test driver
    // never opens disks, and libvirt needs the directory for the console log.
    const created = await virt('create instance directory', () => mkdir(dir, { recursive: true }));
    let domain: Domain | null = null;
    try {
      if (instance.configDrive) {
        await makeConfigDrive(
          instance.configDrive,
          join(dir, InstanceFiles.configDrive),
          this.options.mkisofsCmd ?? 'genisoimage',
        );
      }
      const defined = await virt(`define ${instance.name}`, () => conn.domainDefineXML(xml));
      domain = defined;
      if (start) {
        await virt(`start ${instance.name}`, () => defined.create());
      }
    } catch (err) {
      // Leave nothing behind (a failed spawn is rescheduled elsewhere), but never
      // what we did not make: a duplicate's define fails on someone else's domain.
      await domain?.undefine().catch(() => undefined);
      if (created) {
        await rm(dir, { recursive: true, force: true });
      }
      throw err;
    }
  }

  async destroy(uuid: string): Promise<void> {
    const domain = await this.lookup(uuid);
    if (domain) {
      await this.stop(domain);
      await domain.undefine().catch((err: unknown) => {
        if (!isNoDomain(err)) {
          throw new VirtError(`libvirt undefine ${uuid} failed: ${messageOf(err)}`);
        }
      });
    }
    if (UUID.test(uuid)) {
      await rm(this.instanceDir(uuid), { recursive: true, force: true });
    }
  }

  async reboot(uuid: string, type: 'SOFT' | 'HARD'): Promise<void> {
    const domain = await this.domain(uuid);
    // Like Nova, a soft reboot only of a running guest, and hard when it will not stop.
    const clean =
      type === 'SOFT' && (await this.state(domain)) === DomainState.RUNNING
        ? await this.shutdownCleanly(domain)
        : false;
    if (!clean) {
      await this.stop(domain);
    }
    await this.discardSavedImage(uuid);
    await virt(`start ${uuid}`, () => domain.create());
  }

  async powerOff(uuid: string): Promise<void> {
    const domain = await this.domain(uuid);
    const state = await this.state(domain);
    const clean =
      (state === DomainState.RUNNING || state === DomainState.BLOCKED) &&
      (await this.shutdownCleanly(domain));
    if (!clean) {
      await this.stop(domain);
    }
    // Stopped is stopped: a suspended guest's saved memory would resume it instead.
    await this.discardSavedImage(uuid);
  }

  async powerOn(uuid: string): Promise<void> {
    const domain = await this.domain(uuid);
    if (await this.isActive(domain)) {
      return;
    }
    // Nova powers on by hard reboot, which drops a saved image too.
    await this.discardSavedImage(uuid);
    await virt(`start ${uuid}`, () => domain.create());
  }

  async pause(uuid: string): Promise<void> {
    const domain = await this.domain(uuid);
    await virt(`pause ${uuid}`, () => domain.suspend());
  }

  async unpause(uuid: string): Promise<void> {
    const domain = await this.domain(uuid);
    await virt(`unpause ${uuid}`, () => domain.resume());
  }

  async suspend(uuid: string): Promise<void> {
    // Nova uses managed save; the binding has plain save, to a file we keep track of.
    const domain = await this.domain(uuid);
    await virt(`save ${uuid}`, () => domain.save(this.savedImage(uuid)));
  }

  async resume(uuid: string): Promise<void> {
    const conn = this.connection();
    const domain = await this.domain(uuid);
    const image = this.savedImage(uuid);
    if (await exists(image)) {
      await virt(`restore ${uuid}`, () => conn.domainRestore(image));
      await rm(image, { force: true });
    } else if ((await this.state(domain)) === DomainState.PMSUSPENDED) {
      await virt(`wake ${uuid}`, () => domain.resume());
    } else if (!(await this.isActive(domain))) {
      await virt(`start ${uuid}`, () => domain.create());
    }
  }

  /** From the running domain's live XML (ports are assigned when it starts). */
  async consoleEndpoint(uuid: string, kind: ConsoleKind): Promise<ConsoleEndpoint> {
    const domain = await this.domain(uuid);
    const state = await this.state(domain);
    if (state !== DomainState.RUNNING && state !== DomainState.PAUSED) {
      throw new ConsoleUnavailable(kind, `Instance ${uuid} is not running`, true);
    }
    const xml = await virt(`getXMLDesc ${uuid}`, () => domain.getXMLDesc());
    return consoleFromDomainXml(xml, kind, this.options.consoleAddresses ?? LOOPBACK_CONSOLES);
  }

  async powerState(uuid: string): Promise<PowerState> {
    const domain = await this.lookup(uuid);
    if (!domain) {
      return PowerState.NOSTATE;
    }
    const info = await domain.getInfo().catch((err: unknown) => {
      if (isNoDomain(err)) {
        return null; // went away between lookup and getInfo
      }
      throw new VirtError(`libvirt getInfo ${uuid} failed: ${messageOf(err)}`);
    });
    if (!info) {
      return PowerState.NOSTATE;
    }
    const saved = info.state === DomainState.SHUTOFF && (await exists(this.savedImage(uuid)));
    return powerStateOf(info.state, saved);
  }

  async consoleOutput(uuid: string): Promise<string> {
    await this.domain(uuid);
    const file = await open(join(this.instanceDir(uuid), InstanceFiles.consoleLog)).catch(
      () => null,
    );
    if (!file) {
      return '';
    }
    try {
      const { size } = await file.stat();
      const length = Math.min(size, MAX_CONSOLE_BYTES);
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, size - length);
      return buffer.toString('utf8');
    } finally {
      await file.close();
    }
  }

  /**
   * Nova's rescue: keep the domain's XML for unrescue, then redefine the domain
   * to boot the rescue disk with its own disks attached after it.
   */
  async rescue(uuid: string, rescue: RescueSpec): Promise<void> {
    const domain = await this.domain(uuid);
    const saved = join(this.instanceDir(uuid), InstanceFiles.unrescueXml);
    if (await exists(saved)) {
      throw new VirtError(`Instance ${uuid} is already rescued`);
    }
    const original = await virt(`getXMLDesc ${uuid}`, () => domain.getXMLDesc());
    await writeFile(saved, original);
    const xml = buildDomainXml(rescue.instance, {
      domainType: this.isTestDriver ? 'test' : this.options.virtType,
      instanceDir: this.instanceDir(uuid),
      network: this.options.network ?? 'default',
      rescue: true,
      configDrive: await exists(join(this.instanceDir(uuid), InstanceFiles.configDrive)),
    });
    await this.redefine(uuid, domain, xml);
  }

  async unrescue(uuid: string): Promise<void> {
    const domain = await this.domain(uuid);
    const saved = join(this.instanceDir(uuid), InstanceFiles.unrescueXml);
    const original = await readFile(saved, 'utf8').catch(() => {
      throw new VirtError(`Instance ${uuid} is not rescued`);
    });
    await this.redefine(uuid, domain, original);
    await rm(saved, { force: true });
    await rm(join(this.instanceDir(uuid), InstanceFiles.rescueDisk), { force: true });
  }

  setAdminPassword(uuid: string): Promise<string | null> {
    // virDomainSetUserPassword (through the QEMU guest agent) is not in the binding.
    return Promise.reject(
      new VirtError(
        `Setting the admin password of ${uuid} is not supported by this libvirt driver`,
      ),
    );
  }

  /**
   * The root disk converted to a qcow2 file in the instance directory
   * (`qemu-img convert`, as Nova's cold snapshot does), a running guest paused
   * meanwhile so the copy is consistent. A spawn here creates no disk (no
   * image backend yet) and the test driver opens none: then the snapshot is an
   * empty qcow2 of the flavor's root size (`qemu-img create`), honestly no
   * more than a placeholder. Needs qemu-img on the host (qemu-utils).
   */
  async snapshot(uuid: string, rootGb: number): Promise<SnapshotImage> {
    const domain = await this.domain(uuid);
    const dir = this.instanceDir(uuid);
    const root = join(dir, InstanceFiles.rootDisk);
    const file = join(dir, `snapshot-${randomBytes(6).toString('hex')}.qcow2`);
    await mkdir(dir, { recursive: true });
    try {
      if (await exists(root)) {
        const running = (await this.state(domain)) === DomainState.RUNNING;
        if (running) {
          await virt(`pause ${uuid} for its snapshot`, () => domain.suspend());
        }
        try {
          await qemuImg(['convert', '-O', 'qcow2', root, file]);
        } finally {
          if (running) {
            await virt(`resume ${uuid} after its snapshot`, () => domain.resume());
          }
        }
      } else {
        await qemuImg(['create', '-q', '-f', 'qcow2', file, `${Math.max(rootGb, 1)}G`]);
      }
      const { size } = await stat(file);
      return {
        diskFormat: 'qcow2',
        containerFormat: 'bare',
        size,
        open: () => createReadStream(file),
        dispose: () => rm(file, { force: true }),
      };
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
  }

  injectNmi(uuid: string): Promise<void> {
    return Promise.reject(
      new VirtError(`Triggering a crash dump of ${uuid} is not supported by this libvirt driver`),
    );
  }

  /** The compute host's own uptime line, as Nova's driver reports it (`env LANG=C uptime`). */
  hostUptime(): Promise<string> {
    return hostUptimeLine();
  }

  async diagnostics(uuid: string): Promise<Diagnostics> {
    const domain = await this.domain(uuid);
    const info = await virt(`getInfo ${uuid}`, () => domain.getInfo());
    const power = powerStateOf(info.state);
    const states: Record<number, Diagnostics['state']> = {
      [PowerState.RUNNING]: 'running',
      [PowerState.PAUSED]: 'paused',
      [PowerState.SHUTDOWN]: 'shutdown',
      [PowerState.CRASHED]: 'crashed',
      [PowerState.SUSPENDED]: 'suspended',
    };
    return {
      state: states[power] ?? 'pending',
      driver: 'libvirt',
      hypervisor: this.scheme.split('+')[0] || null,
      hypervisorOs: 'linux',
      uptime: null,
      configDrive: await exists(join(this.instanceDir(uuid), InstanceFiles.configDrive)),
      memoryDetails: {
        maximum: Math.floor(info.maxMem / 1024),
        used: Math.floor(info.memory / 1024),
      },
      // The binding gives the domain's total CPU time only; it is shown on the first vCPU.
      cpuDetails: Array.from({ length: info.nrVirtCpu }, (_, id) => ({
        id,
        time: id === 0 ? info.cpuTime : 0,
        utilisation: null,
      })),
      nicDetails: [],
      diskDetails: [],
    };
  }

  /**
   * Nova's migrate_disk_and_power_off: the guest stops, its XML is kept in the
   * instance directory, which moves aside to `<uuid>_resize` (the destination
   * takes the disks from there on shared storage; the test driver opens none),
   * and the domain is undefined here.
   */
  async migrateDiskAndPowerOff(instance: InstanceSpec, target: InstanceSpec): Promise<void> {
    const domain = await this.domain(instance.uuid);
    if (target.rootGb < instance.rootGb) {
      throw new VirtError('Unable to resize disk down.');
    }
    const dir = this.instanceDir(instance.uuid);
    const xml = await virt(`getXMLDesc ${instance.uuid}`, () => domain.getXMLDesc());
    await this.powerOff(instance.uuid);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, InstanceFiles.resizeXml), xml);
    await rm(this.resizeDir(instance.uuid), { recursive: true, force: true });
    await virt(`undefine ${instance.uuid}`, () => domain.undefine());
    await rename(dir, this.resizeDir(instance.uuid));
  }

  /** The guest on its new host: a domain of the new flavor's XML, started when `powerOn`. */
  async finishMigration(instance: InstanceSpec, powerOn: boolean): Promise<void> {
    await this.createGuest(instance, powerOn);
  }

  async confirmMigration(uuid: string): Promise<void> {
    await rm(this.resizeDir(uuid), { recursive: true, force: true });
  }

  /** The kept directory and XML become the guest again (old flavor), started when `powerOn`. */
  async finishRevertMigration(instance: InstanceSpec, powerOn: boolean): Promise<void> {
    const conn = this.connection();
    const saved = this.resizeDir(instance.uuid);
    const xml = await readFile(join(saved, InstanceFiles.resizeXml), 'utf8').catch(() => {
      throw new VirtError(`Instance ${instance.uuid} has no copy set aside for a revert`);
    });
    const leftover = await this.lookup(instance.uuid);
    if (leftover) {
      await this.stop(leftover);
      await virt(`undefine ${instance.uuid}`, () => leftover.undefine());
    }
    const dir = this.instanceDir(instance.uuid);
    await rm(dir, { recursive: true, force: true });
    await rename(saved, dir);
    const defined = await virt(`define ${instance.uuid}`, () => conn.domainDefineXML(xml));
    if (powerOn) {
      await virt(`start ${instance.uuid}`, () => defined.create());
    }
  }

  /** Nothing to prepare: the migration itself is what this driver cannot do. */
  preLiveMigration(_instance: InstanceSpec): Promise<void> {
    return Promise.resolve();
  }

  /** @unraid/libvirt has no virDomainMigrateToURI3 (and the test driver migrates nothing). */
  liveMigration(
    instance: InstanceSpec,
    destHost: string,
    _options: LiveMigrationOptions,
  ): Promise<void> {
    return Promise.reject(
      new VirtError(
        `Live migration of ${instance.uuid} to ${destHost} is not supported by this libvirt ` +
          'driver: its binding has no virDomainMigrateToURI3',
      ),
    );
  }

  liveMigrationForceComplete(uuid: string): Promise<void> {
    return Promise.reject(new VirtError(`No live migration of ${uuid} is running`));
  }

  liveMigrationAbort(uuid: string): Promise<void> {
    return Promise.reject(new VirtError(`No live migration of ${uuid} is running`));
  }

  postLiveMigrationAtDestination(): Promise<void> {
    return Promise.resolve();
  }

  rollbackLiveMigrationAtDestination(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    if (conn) {
      await virt('close', () => conn.connectClose());
    }
  }

  private connection(): Hypervisor {
    if (!this.conn) {
      throw new VirtError(`libvirt driver is not connected to ${this.options.uri}`);
    }
    return this.conn;
  }

  private instanceDir(uuid: string): string {
    if (!UUID.test(uuid)) {
      throw new VirtError(`Invalid instance uuid ${JSON.stringify(uuid)}`);
    }
    return join(this.options.statePath, 'instances', uuid.toLowerCase());
  }

  /** Where a cold move's source keeps the instance directory until confirm or revert. */
  private resizeDir(uuid: string): string {
    return `${this.instanceDir(uuid)}_resize`;
  }

  private savedImage(uuid: string): string {
    return join(this.instanceDir(uuid), InstanceFiles.savedImage);
  }

  /** The domain, or null when libvirt does not know it. */
  private async lookup(uuid: string): Promise<Domain | null> {
    const conn = this.connection();
    if (!UUID.test(uuid)) {
      return null;
    }
    try {
      return await conn.domainLookupByUUIDString(uuid);
    } catch (err) {
      if (isNoDomain(err)) {
        return null;
      }
      throw new VirtError(`libvirt lookup ${uuid} failed: ${messageOf(err)}`);
    }
  }

  private async domain(uuid: string): Promise<Domain> {
    const domain = await this.lookup(uuid);
    if (!domain) {
      throw new VirtError(`Instance ${uuid} not found on ${this.options.uri}`);
    }
    return domain;
  }

  private async state(domain: Domain): Promise<number> {
    return (await virt('getInfo', () => domain.getInfo())).state;
  }

  private async isActive(domain: Domain): Promise<boolean> {
    const state = await this.state(domain);
    return state !== DomainState.SHUTOFF && state !== DomainState.NOSTATE;
  }

  /** Forces the guest off (virDomainDestroy) when it is running; idempotent. */
  private async stop(domain: Domain): Promise<void> {
    if (!(await this.isActive(domain))) {
      return;
    }
    await domain.destroy().catch(async (err: unknown) => {
      // It may have stopped on its own in between.
      if (isNoDomain(err) || !(await this.isActive(domain))) {
        return;
      }
      throw new VirtError(`libvirt destroy failed: ${messageOf(err)}`);
    });
  }

  /** Asks the guest to shut down (ACPI) and waits; false when it is still up at the timeout. */
  private async shutdownCleanly(domain: Domain): Promise<boolean> {
    await virt('shutdown', () => domain.shutdown());
    const deadline = Date.now() + (this.options.shutdownTimeoutMs ?? 60_000);
    for (;;) {
      if (!(await this.isActive(domain))) {
        return true;
      }
      if (Date.now() >= deadline) {
        return false;
      }
      await sleep(SHUTDOWN_POLL_MS);
    }
  }

  /** Stop the domain, define it again from `xml` (same uuid and name), start it. */
  private async redefine(uuid: string, domain: Domain, xml: string): Promise<void> {
    const conn = this.connection();
    await this.stop(domain);
    await virt(`undefine ${uuid}`, () => domain.undefine());
    const defined = await virt(`define ${uuid}`, () => conn.domainDefineXML(xml));
    await virt(`start ${uuid}`, () => defined.create());
  }

  private async discardSavedImage(uuid: string): Promise<void> {
    await rm(this.savedImage(uuid), { force: true });
  }
}
