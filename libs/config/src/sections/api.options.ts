import { IsBoolean, IsIn, IsInt, IsOptional, IsUrl, Min } from 'class-validator';
import { BoolOpt, IntOpt, Section, StrOpt } from '../option.decorator';

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
}
