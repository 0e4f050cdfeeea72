import { IsIn, IsInt, IsNumber, IsOptional, IsString, Min } from 'class-validator';
import { FloatOpt, IntOpt, Section, StrOpt } from '../option.decorator';

/**
 * The compute host: its driver and periodic tasks. Nova keeps these in
 * [DEFAULT]; we read them from [compute] (ours) to keep [DEFAULT] small.
 */
@Section('compute')
export class ComputeOptions {
  @StrOpt(
    "Virt driver: fake.FakeDriver or libvirt.LibvirtDriver (Nova's [DEFAULT] compute_driver).",
  )
  @IsIn(['fake.FakeDriver', 'libvirt.LibvirtDriver'])
  compute_driver: string = 'fake.FakeDriver';

  @IntOpt('Seconds between power-state syncs with the hypervisor (0 disables).')
  @IsInt()
  @Min(0)
  sync_power_state_interval: number = 600;

  @FloatOpt('Seconds a build may stay on a host whose service is down before it is put in ERROR.')
  @IsNumber()
  @Min(1)
  build_timeout_on_down_host: number = 60;
}

/** The fake driver's hosts: capacity, spawn delay, injected failures, hosts per process. */
@Section('fake_driver')
export class FakeDriverOptions {
  @IntOpt('vCPUs of each fake host.') @IsInt() @Min(1) vcpus: number = 16;
  @IntOpt('MiB of RAM of each fake host.') @IsInt() @Min(1) memory_mb: number = 65536;
  @IntOpt('GiB of disk of each fake host.') @IsInt() @Min(1) local_gb: number = 1000;
  @IntOpt('Milliseconds a spawn takes.') @IsInt() @Min(0) spawn_delay_ms: number = 0;

  @StrOpt(
    'Spawns of instances whose name or uuid, or image name, matches this regular expression ' +
      'fail (tests).',
  )
  @IsOptional()
  @IsString()
  fail_spawn_pattern?: string;

  @StrOpt(
    'Cold migrations and resizes of instances whose name, uuid or display name matches this ' +
      'regular expression fail on the source host, before the guest leaves it (tests).',
  )
  @IsOptional()
  @IsString()
  fail_migrate_pattern?: string;

  @StrOpt(
    'Cold migrations and resizes of matching instances fail on the destination host, ' +
      'when the guest is started there (tests).',
  )
  @IsOptional()
  @IsString()
  fail_finish_pattern?: string;

  @StrOpt('Live migrations of matching instances fail on the source host (tests).')
  @IsOptional()
  @IsString()
  fail_live_migration_pattern?: string;

  @StrOpt(
    'Live migrations of matching instances keep running until force_complete or an abort ' +
      '(at most five minutes), so both can be exercised (tests).',
  )
  @IsOptional()
  @IsString()
  hold_live_migration_pattern?: string;

  @StrOpt(
    'Snapshots (createImage, createBackup, shelve) of instances whose name matches this regular expression fail (tests).',
  )
  @IsOptional()
  @IsString()
  fail_snapshot_pattern?: string;

  @IntOpt('Fake hosts this process runs: [DEFAULT] host, or host-1..host-N when more than one.')
  @IsInt()
  @Min(1)
  host_count: number = 1;
}

/** The built-in flat network: addresses recorded per instance, not configured on any host. */
@Section('flat_network')
export class FlatNetworkOptions {
  @StrOpt('Network name shown in server addresses.') @IsString() name: string = 'private';
  @StrOpt('IPv4 range instances get addresses from (CIDR).') @IsString() cidr: string =
    '10.0.0.0/16';
}
