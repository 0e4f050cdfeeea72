import { IsBoolean, IsIn, IsInt, Min } from 'class-validator';
import { BoolOpt, IntOpt, Section, StrOpt } from '../option.decorator';

/** Default quota limits (-1 = unlimited) and how quotas are enforced. */
@Section('quota')
export class QuotaOptions {
  @IntOpt('Instances per project.') @IsInt() @Min(-1) instances: number = 10;
  @IntOpt('Instance cores (vCPUs) per project.') @IsInt() @Min(-1) cores: number = 20;
  @IntOpt('Megabytes of instance RAM per project.') @IsInt() @Min(-1) ram: number = 51200;
  @IntOpt('Metadata items per instance.') @IsInt() @Min(-1) metadata_items: number = 128;
  @IntOpt('Injected files per instance.') @IsInt() @Min(-1) injected_files: number = 5;
  @IntOpt('Bytes per injected file.') @IsInt() @Min(-1) injected_file_content_bytes: number = 10240;
  @IntOpt('Length of an injected file path.') @IsInt() @Min(-1) injected_file_path_length: number =
    255;
  @IntOpt('Keypairs per user.') @IsInt() @Min(-1) key_pairs: number = 100;
  @IntOpt('Server groups per project.') @IsInt() @Min(-1) server_groups: number = 10;
  @IntOpt('Servers per server group.') @IsInt() @Min(-1) server_group_members: number = 10;

  @StrOpt(
    'nova.quota.DbQuotaDriver enforces limits; nova.quota.NoopQuotaDriver reports them as unlimited.',
  )
  @IsIn(['nova.quota.DbQuotaDriver', 'nova.quota.NoopQuotaDriver'])
  driver: string = 'nova.quota.DbQuotaDriver';

  @BoolOpt('Check quota again after resources are created, to close races between requests.')
  @IsBoolean()
  recheck_quota: boolean = true;
}
