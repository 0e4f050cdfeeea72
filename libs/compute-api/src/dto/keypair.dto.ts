import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsObject,
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { Invalid } from '@nova/common';
import type { ApiVersion } from '../http/api-version';
import { NAME_PATTERN, NotNullOptional } from './validators';

const TYPES = ['ssh', 'x509'];
const TYPE_ENUM = { message: "type must be one of the following values: ['ssh', 'x509']" };

class KeypairName {
  @IsDefined() @IsString() @MinLength(1) @MaxLength(255) name!: string;
}

/** 2.1: a name, and a public key to import (none: Nova generates the keypair). */
export class KeypairCreate extends KeypairName {
  @NotNullOptional() @IsString() public_key?: string;
}

/** 2.2: the keypair type. */
export class KeypairCreateV22 extends KeypairCreate {
  @NotNullOptional() @IsString() @IsIn(TYPES, TYPE_ENUM) type?: 'ssh' | 'x509';
}

/** 2.10: admins may create keypairs for another user (at most 255 characters: the column's size). */
export class KeypairCreateV210 extends KeypairCreateV22 {
  @NotNullOptional() @IsString() @MaxLength(255) user_id?: string;
}

/** 2.92: no more generation, the public key is required. */
export class KeypairCreateV292 extends KeypairName {
  @IsDefined() @IsString() public_key!: string;
  @NotNullOptional() @IsString() @IsIn(TYPES, TYPE_ENUM) type?: 'ssh' | 'x509';
  @NotNullOptional() @IsString() @MaxLength(255) user_id?: string;
}

/** What every version's body reads as (fields a version lacks are simply absent). */
export interface KeypairCreateFields {
  name: string;
  public_key?: string;
  type?: 'ssh' | 'x509';
  user_id?: string;
}

export class CreateKeypairBody {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => KeypairCreate) keypair!: KeypairCreate;
}

export class CreateKeypairBodyV22 {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => KeypairCreateV22)
  keypair!: KeypairCreateV22;
}

export class CreateKeypairBodyV210 {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => KeypairCreateV210)
  keypair!: KeypairCreateV210;
}

export class CreateKeypairBodyV292 {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => KeypairCreateV292)
  keypair!: KeypairCreateV292;
}

export const CREATE_KEYPAIR_BODIES = {
  '2.1': CreateKeypairBody,
  '2.2': CreateKeypairBodyV22,
  '2.10': CreateKeypairBodyV210,
  '2.92': CreateKeypairBodyV292,
};

const SAFE_CHARACTERS = '_- 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Nova's keypair name formats, with their messages: printable without
 * leading or trailing whitespace, and only letters, digits, '_', '-' and
 * space (from 2.92 also '@' and '.').
 */
export function checkKeypairName(name: string, version: ApiVersion): void {
  if (!NAME_PATTERN.test(name)) {
    throw invalidName('printable characters. Can not start or end with whitespace.');
  }
  const safe = version.atLeast('2.92') ? `@.${SAFE_CHARACTERS}` : SAFE_CHARACTERS;
  if ([...name].some((c) => !safe.includes(c))) {
    throw invalidName(`Only expected characters: [${safe}]`);
  }
}

function invalidName(reason: string): Invalid {
  return new Invalid(`An invalid 'name' value was provided. The name must be: ${reason}`);
}
