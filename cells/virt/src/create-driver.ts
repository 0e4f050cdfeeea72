import type { NovaConfig } from '@nova/config';
import { FakeDriver } from './fake/fake-driver';
import { LibvirtDriver, libvirtDriverOptions } from './libvirt';
import type { VirtDriver } from './virt-driver';

/** The driver `[compute] compute_driver` names (the libvirt binding loads only when chosen). */
export function createVirtDriver(config: NovaConfig): VirtDriver {
  if (config.compute.compute_driver === 'libvirt.LibvirtDriver') {
    return new LibvirtDriver(libvirtDriverOptions(config));
  }
  const fake = config.fake_driver;
  return new FakeDriver({
    vcpus: fake.vcpus,
    memoryMb: fake.memory_mb,
    localGb: fake.local_gb,
    spawnDelayMs: fake.spawn_delay_ms,
    ...(fake.fail_spawn_pattern ? { failSpawnPattern: new RegExp(fake.fail_spawn_pattern) } : {}),
  });
}
