import { IsIn, IsInt, IsOptional, IsString, IsUrl, Min } from 'class-validator';
import { IntOpt, Section, StrOpt } from '../option.decorator';

/** keystonemiddleware's options, as Nova's install guide sets them. */
@Section('keystone_authtoken')
export class KeystoneOptions {
  @StrOpt('Public Identity endpoint sent to clients in WWW-Authenticate on 401.')
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  www_authenticate_uri?: string;

  @StrOpt('Identity endpoint nova-api authenticates against and validates tokens at.')
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  auth_url?: string;

  @StrOpt('Authentication plugin for nova-api itself.')
  @IsIn(['password'])
  auth_type: string = 'password';

  @StrOpt("nova-api's service user.")
  @IsOptional()
  @IsString()
  username?: string;

  @StrOpt('Password of the service user.', { secret: true })
  @IsOptional()
  @IsString()
  password?: string;

  @StrOpt('Project of the service user.')
  @IsString()
  project_name: string = 'service';

  @StrOpt('Domain of the service user.')
  @IsString()
  user_domain_name: string = 'Default';

  @StrOpt('Domain of the service project.')
  @IsString()
  project_domain_name: string = 'Default';

  @IntOpt('Seconds a validated token is cached (in Redis when [cache] has it).')
  @IsInt()
  @Min(0)
  token_cache_time: number = 300;

  @IntOpt('Seconds to wait for Keystone.')
  @IsInt()
  @Min(1)
  http_connect_timeout: number = 5;
}
