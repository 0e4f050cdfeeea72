import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsObject,
  IsString,
  Length,
  ValidateBy,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { HARD_POLICIES, SERVER_GROUP_POLICIES } from '@nova/server-groups';
import { pyRepr } from '../http/py-repr';
import { IsPresent, NotNullOptional } from './validators';

/** IsIn with jsonschema's wording of the choices (`['anti-affinity', 'affinity']`). */
const OneOf = (choices: readonly string[], each = false) =>
  IsIn([...choices], { each, message: `$property must be one of: ${pyRepr([...choices])}` });

/** Why a value is not Nova's positive_integer (integer >= 1 or digit string), if it is not. */
function positiveIntegerProblem(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (!/^[0-9]+$/.test(value)) {
      return value === '' ? 'is too short' : "does not match '^[0-9]*$'";
    }
    value = Number(value);
  } else if (typeof value !== 'number' || !Number.isInteger(value)) {
    return "is not of type 'integer', 'string'";
  }
  const n = value as number;
  if (n < 1) {
    return 'is less than the minimum of 1';
  }
  // Larger values would not survive as JSON numbers; Nova has no maximum.
  return n > Number.MAX_SAFE_INTEGER
    ? `is greater than the maximum of ${Number.MAX_SAFE_INTEGER}`
    : undefined;
}

function IsPositiveIntegerLike(): PropertyDecorator {
  return ValidateBy({
    name: 'positiveInteger',
    validator: {
      validate: (value: unknown) => positiveIntegerProblem(value) === undefined,
      // The first word is replaced by the value's repr when the fault is written.
      defaultMessage: (args?: ValidationArguments) =>
        `value ${positiveIntegerProblem(args?.value) ?? 'is invalid'}`,
    },
  });
}

/*
 * Names: 1-255 characters here; "printable, no leading or trailing whitespace"
 * is checked by the controller, which answers with Nova's own message for it.
 */

/** 2.1-2.14: `policies`, a list of exactly one of affinity / anti-affinity. */
export class ServerGroupCreate {
  @IsPresent() @IsString() @Length(1, 255) name!: string;
  @IsPresent()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1)
  @ArrayUnique()
  @OneOf(HARD_POLICIES, true)
  policies!: string[];
}

/** 2.15-2.63: the soft policies too. */
export class ServerGroupCreateV215 {
  @IsPresent() @IsString() @Length(1, 255) name!: string;
  @IsPresent()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1)
  @ArrayUnique()
  @OneOf(SERVER_GROUP_POLICIES, true)
  policies!: string[];
}

export class ServerGroupRulesBody {
  @NotNullOptional() @IsPositiveIntegerLike() max_server_per_host?: number | string;
}

/** 2.64: a single `policy` and optional `rules`; `policies` is gone. */
export class ServerGroupCreateV264 {
  @IsPresent() @IsString() @Length(1, 255) name!: string;
  @IsPresent() @IsString() @OneOf(SERVER_GROUP_POLICIES) policy!: string;
  @NotNullOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ServerGroupRulesBody)
  rules?: ServerGroupRulesBody;
}

export class CreateServerGroupBody {
  @IsPresent()
  @IsObject()
  @ValidateNested()
  @Type(() => ServerGroupCreate)
  server_group!: ServerGroupCreate;
}

export class CreateServerGroupBodyV215 {
  @IsPresent()
  @IsObject()
  @ValidateNested()
  @Type(() => ServerGroupCreateV215)
  server_group!: ServerGroupCreateV215;
}

export class CreateServerGroupBodyV264 {
  @IsPresent()
  @IsObject()
  @ValidateNested()
  @Type(() => ServerGroupCreateV264)
  server_group!: ServerGroupCreateV264;
}
