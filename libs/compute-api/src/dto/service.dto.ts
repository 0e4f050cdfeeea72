import { IsDefined, IsIn, IsString, Length, Matches } from 'class-validator';
import { IsBooleanLike, NotNullOptional } from './validators';

/** Nova's parameter_types.fqdn: the `host` of a service. */
const HOST_PATTERN = /^[a-zA-Z0-9-._]*$/;

/** PUT /os-services/{enable,disable,disable-log-reason} before 2.53: the service by host and binary. */
export class ServiceActionBody {
  @IsDefined() @IsString() @Length(1, 255) @Matches(HOST_PATTERN) host!: string;
  @IsDefined() @IsString() @Length(1, 255) binary!: string;
  @NotNullOptional() @IsString() @Length(1, 255) disabled_reason?: string;
}

/** 2.11: also force-down, with `forced_down`. */
export class ServiceActionBodyV211 extends ServiceActionBody {
  @NotNullOptional() @IsBooleanLike() forced_down?: boolean | string;
}

/** 2.53: PUT /os-services/{service_uuid}; nothing is required, but something must change. */
export class ServiceUpdateBodyV253 {
  @NotNullOptional() @IsString() @IsIn(['enabled', 'disabled']) status?: 'enabled' | 'disabled';
  @NotNullOptional() @IsString() @Length(1, 255) disabled_reason?: string;
  @NotNullOptional() @IsBooleanLike() forced_down?: boolean | string;
}
