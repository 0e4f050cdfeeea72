import { Type } from 'class-transformer';
import {
  IsDefined,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  IsBooleanLike,
  IsIntLike,
  IsPositiveNumberLike,
  NAME_PATTERN,
  NotNullOptional,
} from './validators';
import { HasType, MaxLen, MinLen, Pattern } from './servers/checks';

export class FlavorCreate {
  @IsDefined() @IsString() @Length(1, 255) @Matches(NAME_PATTERN) name!: string;
  /** Nova's schema takes a number too (Tempest sends one): it becomes the id's string. */
  @IsOptional()
  @HasType(['string', 'number', 'null'])
  @MinLen(1)
  @MaxLen(255)
  @Pattern('^(?! )[a-zA-Z0-9. _-]+(?<! )$')
  id?: string | number | null;
  @IsDefined() @IsIntLike(1) ram!: number | string;
  @IsDefined() @IsIntLike(1) vcpus!: number | string;
  @IsDefined() @IsIntLike(0) disk!: number | string;
  @NotNullOptional() @IsIntLike(0) 'OS-FLV-EXT-DATA:ephemeral'?: number | string;
  @NotNullOptional() @IsIntLike(0) swap?: number | string;
  @NotNullOptional() @IsPositiveNumberLike() rxtx_factor?: number | string;
  @NotNullOptional() @IsBooleanLike() 'os-flavor-access:is_public'?: boolean | string;
}

/** 2.55: a description. */
export class FlavorCreateV255 extends FlavorCreate {
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(65535)
  @Matches(/^[^\p{Cc}]*$/u)
  description?: string | null;
}

export class CreateFlavorBody {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => FlavorCreate) flavor!: FlavorCreate;
}

export class CreateFlavorBodyV255 {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => FlavorCreateV255)
  flavor!: FlavorCreateV255;
}

export class FlavorUpdate {
  @ValidateIf((_, v) => v !== null)
  @IsDefined()
  @IsString()
  @MaxLength(65535)
  @Matches(/^[^\p{Cc}]*$/u)
  description!: string | null;
}

export class UpdateFlavorBody {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => FlavorUpdate) flavor!: FlavorUpdate;
}

export class TenantAccess {
  @IsDefined() @IsString() @Length(1, 255) @Matches(/^[a-zA-Z0-9-_]*$/) tenant!: string;
}

export class AddTenantAccessBody {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => TenantAccess)
  addTenantAccess!: TenantAccess;
}

export class RemoveTenantAccessBody {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => TenantAccess)
  removeTenantAccess!: TenantAccess;
}
