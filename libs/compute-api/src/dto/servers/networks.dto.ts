import { plainToInstance, Type } from 'class-transformer';
import { IsArray, IsString, ValidateNested, validateSync } from 'class-validator';
import { ApiVersion } from '../../http/api-version';
import { IsPresent, NotNullOptional } from '../validators';
import { bodyClass, type FieldSpec } from './body-class';
import { EachObject, Format, MaxLen, MinLen, OneOfSchemas, Pattern } from './checks';
import { isIpv4Format, isIpv6Format, isUuidFormat, TAG_PATTERN } from './formats';

/** A requested NIC as the body gives it. */
export interface NetworkRequestFields {
  uuid?: string;
  port?: string | null;
  fixed_ip?: string;
  tag?: string;
}

const ipAddress = (v: unknown) => typeof v === 'string' && (isIpv4Format(v) || isIpv6Format(v));
const portId = (v: unknown) => v === null || (typeof v === 'string' && isUuidFormat(v));

/** parameter_types.tag, for device tags (2.32, and again from 2.42). */
export const deviceTagRules = (): PropertyDecorator[] => [
  NotNullOptional(),
  IsString(),
  MinLen(1),
  MaxLen(60),
  Pattern(TAG_PATTERN),
];

/** 2.32 and 2.42+ allow a device tag; 2.33-2.41 lost it by mistake (restored in 2.42). */
export function hasDeviceTags(version: string): boolean {
  const v = ApiVersion.parse(version);
  return v.within('2.32', '2.32') || v.atLeast('2.42');
}

function networkFields(version: string): FieldSpec[] {
  const strictUuid = ApiVersion.parse(version).atLeast('2.37');
  return [
    { name: 'fixed_ip', rules: () => [NotNullOptional(), IsString(), OneOfSchemas(ipAddress)] },
    // Null is allowed: "no port".
    { name: 'port', rules: () => [OneOfSchemas((v) => v === undefined || portId(v))] },
    {
      name: 'uuid',
      rules: () => [
        NotNullOptional(),
        IsString(),
        ...(strictUuid ? [Format('uuid', isUuidFormat)] : []),
      ],
    },
    ...(hasDeviceTags(version) ? [{ name: 'tag', rules: deviceTagRules }] : []),
  ];
}

const itemClass = (version: string) =>
  bodyClass(`NetworkRequestV${version.replace('.', '')}`, version, networkFields(version), {
    allExtras: false,
  });

/** Before 2.37: a list of NICs (each a uuid or a port, optionally a fixed IP). */
export function networksRulesV21(version: string): () => PropertyDecorator[] {
  const item = itemClass(version);
  return () => [
    NotNullOptional(),
    IsArray(),
    EachObject(),
    ValidateNested({ each: true }),
    Type(() => item),
  ];
}

/** 2.37: required, and either such a list (uuids enforced) or 'auto' / 'none'. */
export function networksRulesV237(version: string): () => PropertyDecorator[] {
  const item = itemClass(version);
  const validItem = (x: unknown) =>
    typeof x === 'object' &&
    x !== null &&
    !Array.isArray(x) &&
    validateSync(plainToInstance(item, x), {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: false,
    }).length === 0;
  return () => [
    IsPresent(),
    OneOfSchemas((v) => v === 'auto' || v === 'none' || (Array.isArray(v) && v.every(validItem))),
  ];
}
