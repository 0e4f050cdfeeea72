import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '@nova/common';
import { PowerState } from '@nova/compute-state';
import type { NovaConfig } from '@nova/config';
import { VirtError, type HostResources, type InstanceSpec, type VirtDriver } from '../virt-driver';
import { DomainState, loadLibvirt, type Domain, type Hypervisor } from './binding';
import { buildDomainXml, InstanceFiles } from './domain-xml';
import { exists, isNoDomain, messageOf, virt } from './errors';
import { diskGb, firstHostIp } from './host-facts';
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
}

/** Driver options from nova.conf. */
export function libvirtDriverOptions(
  config: Pick<NovaConfig, 'libvirt' | 'DEFAULT'>,
): LibvirtDriverOptions {
  return {
    uri: config.libvirt.connection_uri,
    virtType: config.libvirt.virt_type,
    statePath: config.DEFAULT.state_path,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Nova's MAX_CONSOLE_BYTES: the console log is returned from its tail. */
const MAX_CONSOLE_BYTES = 100 * 1024;
const SHUTDOWN_POLL_MS = 250;
/** test:///default ships a running domain of this name; it is not an instance. */
const TEST_DRIVER_FIXTURE = 'test';

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
    });
    // Image download and disk creation belong to an image backend; the test driver
    // never opens disks, and libvirt needs the directory for the console log.
    const created = await virt('create instance directory', () => mkdir(dir, { recursive: true }));
    let domain: Domain | null = null;
    try {
      const defined = await virt(`define ${instance.name}`, () => conn.domainDefineXML(xml));
      domain = defined;
      await virt(`start ${instance.name}`, () => defined.create());
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

  private async discardSavedImage(uuid: string): Promise<void> {
    await rm(this.savedImage(uuid), { force: true });
  }
}
