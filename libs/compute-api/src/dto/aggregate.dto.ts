import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { NotNullOptional } from './validators';

/** Nova's parameter_types.fqdn (compute host names). */
const FQDN = /^[a-zA-Z0-9-._]*$/;

export class AggregateCreate {
  @IsDefined() @IsString() @Length(1, 255) name!: string;
  /** Null means no zone (the name's format is checked after, with Nova's message). */
  @IsOptional() @IsString() @Length(1, 255) availability_zone?: string | null;
}

export class CreateAggregateBody {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AggregateCreate)
  aggregate!: AggregateCreate;
}

export class AggregateUpdate {
  @NotNullOptional() @IsString() @Length(1, 255) name?: string;
  /** Null passes the schema and is then refused as an empty zone name, as in Nova. */
  @IsOptional() @IsString() @Length(1, 255) availability_zone?: string | null;
}

export class UpdateAggregateBody {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AggregateUpdate)
  aggregate!: AggregateUpdate;
}

export class AggregateHostRef {
  @IsDefined()
  @IsString()
  @Length(1, 255)
  @Matches(FQDN, { message: `$property must match ${FQDN.source} regular expression` })
  host!: string;
}

export class AddHostBody {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AggregateHostRef)
  add_host!: AggregateHostRef;
}

export class RemoveHostBody {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AggregateHostRef)
  remove_host!: AggregateHostRef;
}

/** The metadata map itself is checked key by key afterwards (aggregateMetadataFrom). */
export class MetadataHolder {
  @IsDefined() @IsObject() metadata!: Record<string, unknown>;
}

export class SetMetadataBody {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MetadataHolder)
  set_metadata!: MetadataHolder;
}

/** oslo's is_uuid_like: 32 hex digits once dashes, braces and urn:/uuid: prefixes go. */
export function isUuidLike(value: unknown): boolean {
  if (typeof value !== 'string') {
    return false;
  }
  const hex = value
    .replace(/urn:/g, '')
    .replace(/uuid:/g, '')
    .replace(/^[{}]+|[{}]+$/g, '')
    .replace(/-/g, '')
    .toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex);
}

export class CachedImage {
  @IsDefined()
  @IsString()
  @ValidateBy({
    name: 'format',
    validator: {
      validate: isUuidLike,
      defaultMessage: () => "id is not a 'uuid'",
    },
  })
  id!: string;
}

/** POST /os-aggregates/{id}/images (2.81). */
export class CacheImagesBody {
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => CachedImage)
  cache!: CachedImage[];
}
