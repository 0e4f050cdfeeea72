import { hostname } from 'node:os';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsIP,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { BoolOpt, FloatOpt, IntOpt, ListOpt, PathOpt, Section, StrOpt } from '../option.decorator';
import { IsNovaUrl } from '../validators';

@Section('DEFAULT')
export class DefaultOptions {
  @StrOpt('Name of this node: the compute host name, and the host services register as.')
  @IsString()
  @IsNotEmpty()
  host: string = hostname();

  @StrOpt(
    'Message queue URL (rabbit://user:pass@host:5672/vhost, or inproc://name for the ' +
      'embedded in-process transport). In a cell, it names the cell.',
    { secret: true },
  )
  @IsOptional()
  @IsNovaUrl(['rabbit', 'amqp', 'inproc', 'none'])
  transport_url?: string = 'rabbit://';

  @PathOpt(
    'Top-level directory for state (embedded SQLite files live here); $state_path expands to it.',
  )
  @IsString()
  @IsNotEmpty()
  state_path: string = '/var/lib/nova';

  @StrOpt('IP address the Compute API listens on.')
  @IsIP()
  osapi_compute_listen: string = '0.0.0.0';

  @IntOpt('Port the Compute API listens on.')
  @IsInt()
  @Min(1)
  @Max(65535)
  osapi_compute_listen_port: number = 8774;

  @IntOpt('Processes nova-api serves the compute API with (sharing its port); unset: one per CPU.')
  @IsOptional()
  @IsInt()
  @Min(1)
  osapi_compute_workers?: number;

  @StrOpt('IP address the metadata service (nova-api-metadata) listens on.')
  @IsIP()
  metadata_listen: string = '0.0.0.0';

  @IntOpt('Port the metadata service listens on (0: any free port, for tests).')
  @IsInt()
  @Min(0)
  @Max(65535)
  metadata_listen_port: number = 8775;

  @BoolOpt('Give every new server a config drive (compute hosts read it), as if it asked for one.')
  @IsBoolean()
  force_config_drive: boolean = false;

  @StrOpt('The ISO9660 builder compute hosts run for config drives (genisoimage or mkisofs).')
  @IsString()
  @IsNotEmpty()
  mkisofs_cmd: string = 'genisoimage';

  @StrOpt('Config drive format: iso9660 (Nova also knows vfat, which we do not build).')
  @IsIn(['iso9660'])
  config_drive_format: string = 'iso9660';

  @BoolOpt('Log at DEBUG level.')
  @IsBoolean()
  debug: boolean = false;

  @StrOpt('Availability zone of compute hosts in no zone-defining aggregate.')
  @IsString()
  @IsNotEmpty()
  default_availability_zone: string = 'nova';

  @StrOpt('Availability zone a server is built in when the request names none; unset: any zone.')
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  default_schedule_zone?: string;

  @StrOpt(
    'Display name of each server of a multi-server request: %(name)s is the requested ' +
      'name, %(count)d the 1-based index, %(uuid)s the server id.',
  )
  @IsString()
  @IsNotEmpty()
  multi_instance_display_name_template: string = '%(name)s-%(count)d';

  @StrOpt('Availability zone shown for services other than nova-compute.')
  @IsString()
  @IsNotEmpty()
  internal_service_availability_zone: string = 'internal';

  @IntOpt('Seconds to wait for a response from an RPC call.')
  @IsInt()
  @Min(1)
  rpc_response_timeout: number = 60;

  @IntOpt('Seconds between service heartbeats into the cell database.')
  @IsInt()
  @Min(1)
  report_interval: number = 10;

  @IntOpt('Seconds since the last heartbeat after which a service is considered down.')
  @IsInt()
  @Min(1)
  service_down_time: number = 60;

  // Resource overcommit and reservations, as the compute host reports them to
  // placement (Nova's names). An explicit *_allocation_ratio wins; unset, a new
  // resource provider starts with the initial_* value and an operator may change
  // it in placement afterwards.

  @FloatOpt('vCPU overcommit ratio for this compute host; unset: initial_cpu_allocation_ratio.')
  @IsOptional()
  @IsNumber()
  @Min(0)
  cpu_allocation_ratio?: number;

  @FloatOpt('RAM overcommit ratio for this compute host; unset: initial_ram_allocation_ratio.')
  @IsOptional()
  @IsNumber()
  @Min(0)
  ram_allocation_ratio?: number;

  @FloatOpt('Disk overcommit ratio for this compute host; unset: initial_disk_allocation_ratio.')
  @IsOptional()
  @IsNumber()
  @Min(0)
  disk_allocation_ratio?: number;

  @FloatOpt('vCPU overcommit ratio a new compute host starts with.')
  @IsNumber()
  @Min(0)
  initial_cpu_allocation_ratio: number = 4.0;

  @FloatOpt('RAM overcommit ratio a new compute host starts with.')
  @IsNumber()
  @Min(0)
  initial_ram_allocation_ratio: number = 1.0;

  @FloatOpt('Disk overcommit ratio a new compute host starts with.')
  @IsNumber()
  @Min(0)
  initial_disk_allocation_ratio: number = 1.0;

  @IntOpt('MiB of RAM kept for the host itself (not offered to instances).')
  @IsInt()
  @Min(0)
  reserved_host_memory_mb: number = 512;

  @IntOpt('MiB of disk kept for the host itself (not offered to instances).')
  @IsInt()
  @Min(0)
  reserved_host_disk_mb: number = 0;

  @IntOpt('Host CPUs kept for the host itself (not offered to instances).')
  @IsInt()
  @Min(0)
  reserved_host_cpus: number = 0;

  @IntOpt(
    'Seconds a deleted server stays SOFT_DELETED (restorable) before it is reclaimed; ' +
      '0 deletes at once.',
  )
  @IsInt()
  @Min(0)
  reclaim_instance_interval: number = 0;

  @IntOpt(
    "Seconds a build waits for Neutron's network-vif-plugged events of its ports; " +
      '0 does not wait (a Neutron without agents never sends them).',
  )
  @IsInt()
  @Min(0)
  vif_plugging_timeout: number = 300;

  @BoolOpt('Whether a build whose ports were not plugged in time fails (else it goes on).')
  @IsBoolean()
  vif_plugging_is_fatal: boolean = true;

  @IntOpt(
    'Seconds after which a resize or cold migration waiting in VERIFY_RESIZE is confirmed ' +
      'automatically; 0 never.',
  )
  @IsInt()
  @Min(0)
  resize_confirm_window: number = 0;

  @BoolOpt('Let a resize land on the host the server is on (a cold migration never does).')
  @IsBoolean()
  allow_resize_to_same_host: boolean = false;

  @IntOpt(
    'Seconds a SHELVED server keeps its guest before a periodic task offloads it ' +
      '(SHELVED_OFFLOADED: guest destroyed, resources released); 0 offloads at once, -1 never.',
  )
  @IsInt()
  @Min(-1)
  shelved_offload_time: number = 0;

  @IntOpt(
    "Seconds between the compute host's checks for shelved servers to offload; " +
      '0 checks every 60 seconds, -1 never.',
  )
  @IsInt()
  @Min(-1)
  shelved_poll_interval: number = 3600;

  @ListOpt("Image properties a snapshot does not inherit from the server's image.")
  @IsArray()
  @IsString({ each: true })
  non_inheritable_image_properties: string[] = ['cache_in_nova', 'bittorrent'];

  @BoolOpt(
    'Audit the instance usage of each period on every compute host (os-instance_usage_audit_log).',
  )
  @IsBoolean()
  instance_usage_audit: boolean = false;

  @StrOpt('Period of the usage audit: hour, day, month or year, optionally @offset (month@15).')
  @Matches(/^(hour|day|month|year)(@\d+)?$/)
  instance_usage_audit_period: string = 'month';
}
