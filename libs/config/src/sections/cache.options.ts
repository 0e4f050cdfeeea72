import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Min,
} from 'class-validator';
import { BoolOpt, FloatOpt, IntOpt, Section, StrOpt } from '../option.decorator';

/** Backends accepted in [cache] backend (oslo.cache names); Redis ones select ioredis. */
export const REDIS_BACKENDS = ['dogpile.cache.redis'];
export const MEMORY_BACKENDS = ['dogpile.cache.null', 'dogpile.cache.memory', 'oslo_cache.dict'];

@Section('cache')
export class CacheOptions {
  @BoolOpt('Enable the shared cache (Redis) for instance mappings and cell-change events.')
  @IsBoolean()
  enabled: boolean = false;

  @StrOpt('Cache backend: dogpile.cache.redis, or an in-process one (dogpile.cache.memory).')
  @IsIn([...REDIS_BACKENDS, ...MEMORY_BACKENDS])
  backend: string = 'dogpile.cache.null';

  @IntOpt('Seconds a cached instance mapping lives.')
  @IsInt()
  @Min(1)
  expiration_time: number = 600;

  @StrOpt('Redis server as host:port.')
  @Matches(/^[^\s:]+:\d{1,5}$/, { message: 'must be host:port' })
  redis_server: string = 'localhost:6379';

  @StrOpt('Redis username (ACL).')
  @IsOptional()
  @IsString()
  redis_username?: string;

  @StrOpt('Redis password.', { secret: true })
  @IsOptional()
  @IsString()
  redis_password?: string;

  @IntOpt('Redis database index.')
  @IsInt()
  @Min(0)
  redis_db: number = 0;

  @StrOpt('Prefix of every key and pub/sub channel this deployment uses in Redis.')
  @Matches(/^[A-Za-z0-9_.:-]+$/, { message: 'must be letters, digits, _ . : -' })
  key_prefix: string = 'nova';

  @FloatOpt('Seconds before a Redis command is abandoned (then the database answers).')
  @IsNumber()
  @Min(0.01)
  redis_socket_timeout: number = 1.0;
}
