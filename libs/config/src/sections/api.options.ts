import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Min } from 'class-validator';
import { BoolOpt, IntOpt, PathOpt, Section, StrOpt } from '../option.decorator';

@Section('api')
export class ApiOptions {
  @StrOpt('How API requests are authenticated: keystone, or noauth2 (token "user:project").')
  @IsIn(['keystone', 'noauth2'])
  auth_strategy: string = 'keystone';

  @IntOpt('Maximum number of items a collection returns in one page.')
  @IsInt()
  @Min(1)
  max_limit: number = 1000;

  @StrOpt('Base URL for links in API responses (default: the URL the request came in on).')
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  compute_link_prefix?: string;

  @BoolOpt('Return the admin password of a new server (create) in the response.')
  @IsBoolean()
  enable_instance_password: boolean = true;

  @BoolOpt('When a cell does not answer a list request, skip it (true) or fail (false).')
  @IsBoolean()
  list_records_by_skipping_down_cells: boolean = true;

  @StrOpt(
    'How many servers a list asks each cell for at a time: distributed (the limit divided ' +
      'among the cells, plus 10 %) or fixed (instance_list_cells_batch_fixed_size); at least 100.',
  )
  @IsIn(['distributed', 'fixed'])
  instance_list_cells_batch_strategy: 'distributed' | 'fixed' = 'distributed';

  @IntOpt('Servers asked of each cell at a time with the fixed batch strategy.')
  @IsInt()
  @Min(100)
  instance_list_cells_batch_fixed_size: number = 100;

  @BoolOpt(
    'A list confined to one project asks only the cells where that project has mapped ' +
      'instances (one indexed read of the instance mappings first), not every cell.',
  )
  @IsBoolean()
  instance_list_per_project_cells: boolean = false;

  @BoolOpt(
    'Trust X-Forwarded-For for the client address (the metadata service finds the guest by it); ' +
      'only behind a proxy that sets it.',
  )
  @IsBoolean()
  use_forwarded_for: boolean = false;

  @IntOpt('Seconds the metadata service keeps what it built for an instance (0: no cache).')
  @IsInt()
  @Min(0)
  metadata_cache_expiration: number = 15;

  @StrOpt("Domain appended to guests' hostnames in metadata (empty: none).")
  @IsString()
  dhcp_domain: string = 'novalocal';

  @PathOpt('JSON file whose content is vendor_data.json (unset: {}).')
  @IsOptional()
  @IsString()
  vendordata_jsonfile_path?: string;

  @StrOpt('EC2 metadata versions not written to config drives (space separated).')
  @IsString()
  config_drive_skip_versions: string =
    '1.0 2007-01-19 2007-03-01 2007-08-29 2007-10-10 2007-12-15 2008-02-01 2008-09-01';
}
