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
    statePath: config.DEFAULT.state_path,
    mkisofsCmd: config.DEFAULT.mkisofs_cmd,
    ...pattern('failSpawnPattern', fake.fail_spawn_pattern),
    ...pattern('failSnapshotPattern', fake.fail_snapshot_pattern),
    ...pattern('failMigratePattern', fake.fail_migrate_pattern),
    ...pattern('failFinishPattern', fake.fail_finish_pattern),
    ...pattern('failLiveMigrationPattern', fake.fail_live_migration_pattern),
    ...pattern('holdLiveMigrationPattern', fake.hold_live_migration_pattern),
  });
}

function pattern(name: string, source: string | undefined): Record<string, RegExp> {
  return source ? { [name]: new RegExp(source) } : {};
}
