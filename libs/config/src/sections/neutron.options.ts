import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Min } from 'class-validator';
import { BoolOpt, IntOpt, ListOpt, Section, StrOpt } from '../option.decorator';

/**
 * Nova's `[neutron]` options (keystoneauth's password plugin, the endpoint and
 * the floating pool). `auth_url` set means Neutron: the network proxy APIs
 * (security groups, networks, floating IPs) act there; unset, they answer
 * what the flat built-in network has.
 */
@Section('neutron')
export class NeutronOptions {
  @StrOpt('Identity endpoint the Neutron service user authenticates at; unset: no Neutron.')
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  auth_url?: string;

  @StrOpt('Authentication plugin (password only).')
  @IsIn(['password', 'v3password'])
  auth_type: string = 'password';

  @StrOpt('Service user for the calls Nova makes as itself (pools, lookups without a user token).')
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

  @StrOpt('Region of the network endpoint in the catalog; unset: the first network endpoint.')
  @IsOptional()
  @IsString()
  region_name?: string;

  @ListOpt('Catalog interfaces to use, in order of preference.')
  @IsIn(['public', 'internal', 'admin'], { each: true })
  valid_interfaces: string[] = ['internal', 'public'];

  @StrOpt('Neutron endpoint to use instead of the catalog (http://host:9696).')
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  endpoint_override?: string;

  @IntOpt('Seconds a Neutron (or Keystone) request may take.')
  @IsInt()
  @Min(1)
  timeout: number = 30;

  @StrOpt('External network (name or id) floating IPs come from when no pool is given.')
  @IsString()
  default_floating_pool: string = 'public';

  @BoolOpt("Neutron's metadata proxy fronts the metadata service (X-Instance-ID-Signature).")
  @IsBoolean()
  service_metadata_proxy: boolean = false;

  @StrOpt('Secret shared with the metadata proxy to sign instance ids.', { secret: true })
  @IsString()
  metadata_proxy_shared_secret: string = '';
}
