import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PowerState } from '@nova/compute-state';
import { LibvirtDriver, VirtError, type InstanceSpec } from '@nova/cells/virt';

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
