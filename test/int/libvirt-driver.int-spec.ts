import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PowerState } from '@nova/compute-state';
import {
  ConsoleUnavailable,
  LibvirtDriver,
  UnsupportedConsole,
  VirtError,
  type InstanceSpec,
} from '@nova/cells/virt';

let seq = 0;
function instance(overrides: Partial<InstanceSpec> = {}): InstanceSpec {
  seq += 1;
  return {
    uuid: randomUUID(),
    name: `instance-${seq.toString(16).padStart(8, '0')}`,
    vcpus: 1,
    memoryMb: 256,
    rootGb: 1,
    ephemeralGb: 0,
    image: { id: randomUUID(), name: 'cirros', properties: {} },
    networks: [{ address: '10.0.0.5', mac: 'fa:16:3e:00:00:01' }],
    ...overrides,
  };
}

/** The libvirt driver against libvirt's in-process test hypervisor (test:///default). */
describe('LibvirtDriver on test:///default', () => {
  let statePath: string;
  let driver: LibvirtDriver;

  beforeAll(async () => {
    statePath = await mkdtemp(join(tmpdir(), 'nova-libvirt-'));
    // Each test:///default connection is a private hypervisor: tests share this one.
    driver = new LibvirtDriver({
      uri: 'test:///default',
      virtType: 'kvm',
      statePath,
      shutdownTimeoutMs: 2000,
    });
    await driver.init('compute-lv1');
  });

  afterAll(async () => {
    await driver.close();
    await rm(statePath, { recursive: true, force: true });
  });

  it('reports the test hypervisor as a host', async () => {
    const host = await driver.hostResources();
    expect(host.hypervisorHostname).toBe('compute-lv1');
    expect(host.hypervisorType).toBe('TEST');
    expect(host.hypervisorVersion).toBeGreaterThan(0);
    expect(host.vcpus).toBeGreaterThan(0);
    expect(host.memoryMb).toBeGreaterThan(0);
    expect(host.localGb).toBeGreaterThan(0);
    expect(host.cpuInfo).toMatchObject({ topology: { sockets: expect.any(Number) } });
    expect(host.hostIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it("lists no instances at first (the test driver's own domain is not one)", async () => {
    expect(await driver.listInstances()).toEqual([]);
  });

  it('spawns, lists, drives every power transition and destroys an instance', async () => {
    const spec = instance();
    await driver.spawn(spec);
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.RUNNING);
    expect(await driver.listInstances()).toEqual([spec.uuid]);

    await driver.pause(spec.uuid);
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.PAUSED);
    await driver.unpause(spec.uuid);
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.RUNNING);

    await driver.powerOff(spec.uuid);
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.SHUTDOWN);
    await driver.powerOff(spec.uuid); // already off: nothing to do
    expect(await driver.listInstances()).toEqual([spec.uuid]); // stopped, still defined
    await driver.powerOn(spec.uuid);
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.RUNNING);

    await driver.reboot(spec.uuid, 'SOFT');
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.RUNNING);
    await driver.reboot(spec.uuid, 'HARD');
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.RUNNING);

    await driver.suspend(spec.uuid);
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.SUSPENDED);
    expect(existsSync(join(statePath, 'instances', spec.uuid, 'suspend.save'))).toBe(true);
    await driver.resume(spec.uuid);
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.RUNNING);
    expect(existsSync(join(statePath, 'instances', spec.uuid, 'suspend.save'))).toBe(false);

    await driver.destroy(spec.uuid);
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.NOSTATE);
    expect(await driver.listInstances()).toEqual([]);
    expect(existsSync(join(statePath, 'instances', spec.uuid))).toBe(false);
  });

  it('hard-reboots a paused instance and powers off a suspended one', async () => {
    const spec = instance();
    await driver.spawn(spec);
    await driver.pause(spec.uuid);
    await driver.reboot(spec.uuid, 'SOFT'); // not running: a soft reboot turns hard
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.RUNNING);
    await driver.suspend(spec.uuid);
    await driver.powerOff(spec.uuid);
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.SHUTDOWN);
    await driver.destroy(spec.uuid);
  });

  it('returns the console log, or nothing before the guest wrote one', async () => {
    const spec = instance();
    await driver.spawn(spec);
    expect(await driver.consoleOutput(spec.uuid)).toBe('');
    // The test driver runs no guest; stand in for the serial port's file.
    await writeFile(join(statePath, 'instances', spec.uuid, 'console.log'), 'login: ');
    expect(await driver.consoleOutput(spec.uuid)).toBe('login: ');
    await driver.destroy(spec.uuid);
    await expect(driver.consoleOutput(spec.uuid)).rejects.toThrow(VirtError);
  });

  it('defines VNC graphics, and says clearly that the test hypervisor serves no console', async () => {
    const vnc = new LibvirtDriver({
      uri: 'test:///default',
      virtType: 'kvm',
      statePath,
      vncListen: '127.0.0.1',
    });
    await vnc.init('compute-lv-vnc');
    try {
      const spec = instance();
      await vnc.spawn(spec);
      // test:/// keeps the autoport graphics without a port: no VNC server runs for it.
      await expect(vnc.consoleEndpoint(spec.uuid, 'vnc')).rejects.toThrow(
        new ConsoleUnavailable(
          'vnc',
          "The domain's vnc graphics have no port (the hypervisor runs no vnc server for it)",
        ),
      );
      await expect(vnc.consoleEndpoint(spec.uuid, 'serial')).rejects.toThrow(
        'The domain has no TCP serial port to connect to',
      );
      await expect(vnc.consoleEndpoint(spec.uuid, 'mks')).rejects.toThrow(UnsupportedConsole);
      await vnc.powerOff(spec.uuid);
      await expect(vnc.consoleEndpoint(spec.uuid, 'vnc')).rejects.toThrow(
        `Instance ${spec.uuid} is not running`,
      );
      await vnc.destroy(spec.uuid);
    } finally {
      await vnc.close();
    }
  });

  it('rescues from a rescue disk with the own disk second, and unrescues back', async () => {
    const spec = instance({ ephemeralGb: 1 });
    await driver.spawn(spec);
    const rescueImage = { id: randomUUID(), name: 'rescue' };
    await driver.rescue(spec.uuid, { image: rescueImage, adminPassword: 'pw', instance: spec });
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.RUNNING);
    const dir = join(statePath, 'instances', spec.uuid);
    expect(existsSync(join(dir, 'unrescue.xml'))).toBe(true);
    await expect(
      driver.rescue(spec.uuid, { image: rescueImage, adminPassword: null, instance: spec }),
    ).rejects.toThrow(/already rescued/);
    await driver.unrescue(spec.uuid);
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.RUNNING);
    expect(existsSync(join(dir, 'unrescue.xml'))).toBe(false);
    await expect(driver.unrescue(spec.uuid)).rejects.toThrow(/is not rescued/);
    expect(await driver.listInstances()).toContain(spec.uuid);
    await driver.destroy(spec.uuid);
  });

  it('writes the config drive and attaches it to the domain as a CD-ROM', async () => {
    const spec = instance({
      configDrive: [
        { path: 'openstack/latest/meta_data.json', data: Buffer.from('{"uuid":"x"}') },
        { path: 'openstack/latest/user_data', data: Buffer.from('#!/bin/sh\n') },
      ],
    });
    await driver.spawn(spec);
    const dir = join(statePath, 'instances', spec.uuid);
    const iso = join(dir, 'disk.config');
    expect(execFileSync('isoinfo', ['-d', '-i', iso]).toString()).toMatch(/^Volume id: config-2$/m);
    expect(
      execFileSync('isoinfo', [
        '-R',
        '-i',
        iso,
        '-x',
        '/openstack/latest/meta_data.json',
      ]).toString(),
    ).toBe('{"uuid":"x"}');
    expect((await driver.diagnostics(spec.uuid)).configDrive).toBe(true);
    // A rescue saves the domain's XML for unrescue: the drive is in it.
    await driver.rescue(spec.uuid, {
      image: { id: randomUUID(), name: 'rescue' },
      adminPassword: null,
      instance: { ...spec, configDrive: undefined },
    });
    const original = await readFile(join(dir, 'unrescue.xml'), 'utf8');
    expect(original).toContain("<disk type='file' device='cdrom'>");
    expect(original).toContain(`<source file='${iso}'/>`);
    expect((await driver.diagnostics(spec.uuid)).configDrive).toBe(true);
    await driver.unrescue(spec.uuid);
    await driver.destroy(spec.uuid);
    expect(existsSync(dir)).toBe(false);
  });

  it('fails a spawn whose config drive cannot be built, leaving nothing behind', async () => {
    const broken = new LibvirtDriver({
      uri: 'test:///default',
      virtType: 'kvm',
      statePath,
      mkisofsCmd: 'no-such-mkisofs',
    });
    await broken.init('compute-lv2');
    try {
      const spec = instance({
        configDrive: [{ path: 'openstack/latest/meta_data.json', data: Buffer.from('{}') }],
      });
      await expect(broken.spawn(spec)).rejects.toThrow(
        /Config drive not built: no-such-mkisofs is not installed/,
      );
      expect(await broken.listInstances()).toEqual([]);
      expect(existsSync(join(statePath, 'instances', spec.uuid))).toBe(false);
    } finally {
      await broken.close();
    }
  });

  it("reports diagnostics from the domain's info; no guest agent for passwords or NMIs", async () => {
    const spec = instance({ vcpus: 2 });
    await driver.spawn(spec);
    const d = await driver.diagnostics(spec.uuid);
    expect(d).toMatchObject({ state: 'running', driver: 'libvirt', hypervisor: 'test' });
    expect(d.cpuDetails).toHaveLength(2);
    expect(d.memoryDetails.maximum).toBe(256);
    await expect(driver.setAdminPassword(spec.uuid)).rejects.toThrow(VirtError);
    await expect(driver.injectNmi(spec.uuid)).rejects.toThrow(VirtError);
    await driver.destroy(spec.uuid);
  });

  it('destroys an unknown instance as a no-op, twice', async () => {
    const uuid = randomUUID();
    await driver.destroy(uuid);
    await driver.destroy(uuid);
    expect(await driver.powerState(uuid)).toBe(PowerState.NOSTATE);
  });

  it('fails a spawn whose name or uuid is taken with a VirtError, leaving the first alone', async () => {
    const first = instance();
    await driver.spawn(first);
    const dup = instance({ name: first.name });
    const err: unknown = await driver.spawn(dup).catch((e: unknown) => e);
    // Duck-typed: jest's realm may fail instanceof for errors thrown across modules.
    expect((err as Error).name).toBe('VirtError');
    expect((err as Error).message).toMatch(/already exists/);
    expect(await driver.powerState(first.uuid)).toBe(PowerState.RUNNING);
    expect(await driver.powerState(dup.uuid)).toBe(PowerState.NOSTATE);
    expect(existsSync(join(statePath, 'instances', dup.uuid))).toBe(false);
    expect(await driver.listInstances()).toEqual([first.uuid]);
    await expect(driver.spawn(first)).rejects.toThrow(/already exists/);
    expect(await driver.powerState(first.uuid)).toBe(PowerState.RUNNING);
    await driver.destroy(first.uuid);
  });

  it('snapshots the root disk as qcow2 (an empty one of the root size without a disk)', async () => {
    const readAll = async (stream: NodeJS.ReadableStream) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) {
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks);
    };
    const spec = instance({ rootGb: 2 });
    await driver.spawn(spec);
    // The test driver opens no disk: the snapshot is a placeholder of the flavor's root size.
    const placeholder = await driver.snapshot(spec.uuid, spec.rootGb);
    expect(placeholder).toMatchObject({ diskFormat: 'qcow2', containerFormat: 'bare' });
    const bytes = await readAll(placeholder.open());
    expect(bytes.length).toBe(placeholder.size);
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x51, 0x46, 0x49, 0xfb])); // "QFI\xfb"
    expect(bytes.readBigUInt64BE(24)).toBe(BigInt(2 * 1024 ** 3)); // virtual size
    await placeholder.dispose();
    const dir = join(statePath, 'instances', spec.uuid);
    expect((await readdir(dir)).filter((f) => f.startsWith('snapshot-'))).toEqual([]);

    // With a root disk it is converted, the guest paused meanwhile and running again after.
    await promisify(execFile)('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'disk'), '1G']);
    const converted = await driver.snapshot(spec.uuid, spec.rootGb);
    const copy = await readAll(converted.open());
    expect(copy.readBigUInt64BE(24)).toBe(BigInt(1024 ** 3));
    await converted.dispose();
    expect(await driver.powerState(spec.uuid)).toBe(PowerState.RUNNING);
    await expect(driver.snapshot(randomUUID(), 1)).rejects.toThrow(/not found/);
    await driver.destroy(spec.uuid);
  });

  it('raises VirtError for operations on an unknown instance', async () => {
    await expect(driver.powerOn(randomUUID())).rejects.toThrow(VirtError);
    await expect(driver.pause('not-a-uuid')).rejects.toThrow(VirtError);
  });
});

describe('LibvirtDriver connection failures', () => {
  it('raises VirtError with libvirt message when the hypervisor is unreachable', async () => {
    const driver = new LibvirtDriver({
      uri: 'qemu+unix:///system?socket=/nonexistent/libvirt-sock',
      virtType: 'qemu',
      statePath: tmpdir(),
    });
    await expect(driver.init('h')).rejects.toThrow(/libvirt connect .* failed: .*socket/i);
    await expect(driver.listInstances()).rejects.toThrow(/not connected/);
  });
});

/**
 * Moves between two libvirt hosts: two test:///default connections (each its
 * own hypervisor) with their own state paths. A cold move undefines the
 * domain on the source, keeping its directory and XML aside for a revert, and
 * defines it with the new flavor on the destination.
 */
describe('LibvirtDriver moves between two test:///default hosts', () => {
  const hosts: Array<{ driver: LibvirtDriver; statePath: string }> = [];
  const source = () => hosts[0].driver;
  const dest = () => hosts[1].driver;

  beforeAll(async () => {
    for (const name of ['lv-src', 'lv-dst']) {
      const statePath = await mkdtemp(join(tmpdir(), `nova-${name}-`));
      const driver = new LibvirtDriver({
        uri: 'test:///default',
        virtType: 'kvm',
        statePath,
        shutdownTimeoutMs: 2000,
      });
      await driver.init(name);
      hosts.push({ driver, statePath });
    }
  });

  afterAll(async () => {
    for (const { driver, statePath } of hosts) {
      await driver.close();
      await rm(statePath, { recursive: true, force: true });
    }
  });

  const setAside = (uuid: string) => join(hosts[0].statePath, 'instances', `${uuid}_resize`);
  const maxMemory = async (driver: LibvirtDriver, uuid: string) =>
    (await driver.diagnostics(uuid)).memoryDetails.maximum;

  it('resizes to the other host and confirms: the source keeps nothing', async () => {
    const old = instance();
    const bigger = { ...old, vcpus: 2, memoryMb: 512, rootGb: 2 };
    await source().spawn(old);
    await source().migrateDiskAndPowerOff(old, bigger);
    expect(await source().listInstances()).not.toContain(old.uuid);
    expect(existsSync(join(setAside(old.uuid), 'libvirt.xml'))).toBe(true);
    await dest().finishMigration(bigger, true);
    expect(await dest().powerState(old.uuid)).toBe(PowerState.RUNNING);
    expect(await maxMemory(dest(), old.uuid)).toBe(512);
    await source().confirmMigration(old.uuid);
    expect(existsSync(setAside(old.uuid))).toBe(false);
    await dest().destroy(old.uuid);
  });

  it('reverts: the destination drops its guest, the source defines the old one again', async () => {
    const old = instance();
    const bigger = { ...old, memoryMb: 768 };
    await source().spawn(old);
    await source().migrateDiskAndPowerOff(old, bigger);
    await dest().finishMigration(bigger, false);
    expect(await dest().powerState(old.uuid)).toBe(PowerState.SHUTDOWN);
    await dest().destroy(old.uuid);
    expect(await dest().listInstances()).not.toContain(old.uuid);
    await source().finishRevertMigration(old, true);
    expect(await source().powerState(old.uuid)).toBe(PowerState.RUNNING);
    expect(await maxMemory(source(), old.uuid)).toBe(256);
    expect(existsSync(setAside(old.uuid))).toBe(false);
    await source().destroy(old.uuid);
  });

  it("moves a config drive: the destination builds its own, a revert gets the source's back", async () => {
    const drive = (data: string) => [
      { path: 'openstack/latest/meta_data.json', data: Buffer.from(data) },
    ];
    const old = instance({ configDrive: drive('{"flavor":"old"}') });
    const bigger = { ...old, memoryMb: 512, configDrive: drive('{"flavor":"new"}') };
    const isoOf = (statePath: string) => join(statePath, 'instances', old.uuid, 'disk.config');
    const metaIn = (iso: string) =>
      execFileSync('isoinfo', [
        '-R',
        '-i',
        iso,
        '-x',
        '/openstack/latest/meta_data.json',
      ]).toString();
    await source().spawn(old);
    await source().migrateDiskAndPowerOff(old, bigger);
    expect(metaIn(join(setAside(old.uuid), 'disk.config'))).toBe('{"flavor":"old"}');
    await dest().finishMigration(bigger, true);
    expect(metaIn(isoOf(hosts[1].statePath))).toBe('{"flavor":"new"}');
    expect((await dest().diagnostics(old.uuid)).configDrive).toBe(true);
    await dest().destroy(old.uuid);
    await source().finishRevertMigration(old, true);
    expect(metaIn(isoOf(hosts[0].statePath))).toBe('{"flavor":"old"}');
    expect((await source().diagnostics(old.uuid)).configDrive).toBe(true);
    await source().destroy(old.uuid);
  });

  it('refuses to shrink the root disk, leaving the guest running', async () => {
    const old = instance({ rootGb: 2 });
    await source().spawn(old);
    await expect(source().migrateDiskAndPowerOff(old, { ...old, rootGb: 1 })).rejects.toThrow(
      'Unable to resize disk down.',
    );
    expect(await source().powerState(old.uuid)).toBe(PowerState.RUNNING);
    await source().destroy(old.uuid);
  });

  it('fails a live migration with a clear driver error (no virDomainMigrateToURI3)', async () => {
    const guest = instance();
    await source().spawn(guest);
    await dest().preLiveMigration(guest);
    await expect(source().liveMigration(guest, 'lv-dst', { blockMigration: null })).rejects.toThrow(
      /not supported by this libvirt driver: its binding has no virDomainMigrateToURI3/,
    );
    expect(await source().powerState(guest.uuid)).toBe(PowerState.RUNNING);
    await source().destroy(guest.uuid);
  });
});
