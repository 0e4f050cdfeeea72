import { IsInt, IsOptional, IsString, IsUrl, Min } from 'class-validator';
import { IntOpt, ListOpt, PathOpt, Section } from '../option.decorator';

/**
 * Where images come from: Glance (Nova's `api_servers`, `num_retries`) or, when no
 * Glance is configured, a small local catalog (our own `local_catalog`).
 */
@Section('glance')
export class GlanceOptions {
  @ListOpt(
    'Glance API endpoints (http://host:9292), tried in turn; unset serves the local image ' +
      'catalog instead of Glance.',
  )
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: false, protocols: ['http', 'https'] },
    { each: true },
  )
  api_servers?: string[];

  @IntOpt('Times a Glance request is retried after a connection error or a 5xx (0: no retries).')
  @IsInt()
  @Min(0)
  num_retries: number = 3;

  @PathOpt(
    'JSON or YAML file listing the local catalog images in Glance v2 form (used when ' +
      'api_servers is unset); unset serves one built-in CirrOS image.',
  )
  @IsOptional()
  @IsString()
  local_catalog?: string;
}
