import { hostname } from 'node:os';
import {
  IsBoolean,
  IsIP,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';
import { BoolOpt, FloatOpt, IntOpt, PathOpt, Section, StrOpt } from '../option.decorator';
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
}
