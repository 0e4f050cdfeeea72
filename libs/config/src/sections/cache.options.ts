import {
  ArrayNotEmpty,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Min,
} from 'class-validator';
import { BoolOpt, FloatOpt, IntOpt, ListOpt, Section, StrOpt } from '../option.decorator';

/** Backends accepted in [cache] backend (oslo.cache/dogpile names); Redis ones select ioredis. */
export const REDIS_BACKENDS = [
  'dogpile.cache.redis',
  'dogpile.cache.redis_sentinel',
  'dogpile.cache.redis_cluster',
];
export const MEMORY_BACKENDS = ['dogpile.cache.null', 'dogpile.cache.memory', 'oslo_cache.dict'];

@Section('cache')
export class CacheOptions {
  @BoolOpt('Enable the shared cache (Redis) for instance mappings and cell-change events.')
  @IsBoolean()
  enabled: boolean = false;

  @StrOpt(
    'Cache backend: dogpile.cache.redis, dogpile.cache.redis_sentinel, dogpile.cache.redis_cluster, or an in-process one (dogpile.cache.memory).',
  )
  @IsIn([...REDIS_BACKENDS, ...MEMORY_BACKENDS])
  backend: string = 'dogpile.cache.null';

  @IntOpt('Seconds a cached instance mapping lives.')
  @IsInt()
  @Min(1)
  expiration_time: number = 600;

  @StrOpt('Redis server as host:port.')
  @Matches(/^[^\s:]+:\d{1,5}$/, { message: 'must be host:port' })
  redis_server: string = 'localhost:6379';

  @ListOpt('Redis sentinels as host:port, comma separated (dogpile.cache.redis_sentinel).')
  @Matches(/^[^\s:]+:\d{1,5}$/, { each: true, message: 'must be host:port entries' })
  @ArrayNotEmpty()
  redis_sentinels: string[] = ['localhost:26379'];

  @StrOpt('Name of the master the sentinels monitor (dogpile.cache.redis_sentinel).')
  @IsString()
  @IsNotEmpty()
  redis_sentinel_service_name: string = 'mymaster';

  @StrOpt('Username for the sentinels themselves, when they require one (ACL).')
  @IsOptional()
  @IsString()
  redis_sentinel_username?: string;

  @StrOpt('Password for the sentinels themselves (their requirepass).', { secret: true })
  @IsOptional()
  @IsString()
  redis_sentinel_password?: string;

  @ListOpt(
    'Seed nodes of a Redis Cluster as host:port, comma separated (dogpile.cache.redis_cluster); the others are discovered. Empty: redis_server.',
  )
  @Matches(/^[^\s:]+:\d{1,5}$/, { each: true, message: 'must be host:port entries' })
  redis_cluster_nodes: string[] = [];

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
