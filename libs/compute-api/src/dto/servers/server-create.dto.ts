import { Type } from 'class-transformer';
import { IsArray, IsObject, IsString, ValidateNested } from 'class-validator';
import { IsBooleanLike, IsPresent, NotNullOptional } from '../validators';
import { bodyClass, type FieldSpec } from './body-class';
import {
  EachObject,
  Format,
  HasType,
  MaxItems,
  MaxLen,
  MinItems,
  MinLen,
  NameFormat,
  OneOf,
  OneOfSchemas,
  Pattern,
  UniqueItems,
} from './checks';
import {
  DESCRIPTION_FORMAT,
  FQDN_PATTERN,
  HOSTNAME_PATTERN,
  INVALID_NAME_MESSAGE,
  isBase64Format,
  isIpv4Format,
  isIpv6Format,
  isUuidFormat,
  NAME_FORMAT,
} from './formats';
import { MetadataShape } from './metadata-check';
import { networksRulesV21, networksRulesV237, type NetworkRequestFields } from './networks.dto';
import { PositiveIntLike } from './positive-int';
import { SchedulerHintsShape } from './scheduler-hints';
import { EachString, EachTag } from './tags-check';

/** The `server` object of POST /servers, as every microversion reads it. */
export interface ServerCreateFields {
  name: string;
  imageRef?: string;
  flavorRef: string | number;
  adminPass?: string;
  metadata?: Record<string, string>;
  networks?: NetworkRequestFields[] | 'auto' | 'none';
  'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL';
  accessIPv4?: string;
  accessIPv6?: string;
  personality?: Array<{ path?: string; contents?: string }>;
  availability_zone?: string;
  block_device_mapping?: Array<Record<string, unknown>>;
  block_device_mapping_v2?: Array<Record<string, unknown>>;
  config_drive?: boolean | string;
  key_name?: string;
  min_count?: number | string;
  max_count?: number | string;
  return_reservation_id?: boolean | string;
  security_groups?: Array<{ name?: string }>;
  user_data?: string;
  description?: string | null;
  tags?: string[];
  trusted_image_certificates?: string[] | null;
  host?: string;
  hypervisor_hostname?: string;
  hostname?: string;
}

export type SchedulerHints = Record<string, unknown>;

export interface CreateServerBodyFields {
  server: ServerCreateFields;
  'os:scheduler_hints'?: SchedulerHints;
  'OS-SCH-HNT:scheduler_hints'?: SchedulerHints;
}

/** parameter_types.name: 1-255 printable characters, no surrounding whitespace. */
const nameRules = (required: boolean) => (): PropertyDecorator[] => [
  required ? IsPresent() : NotNullOptional(),
  IsString(),
  MinLen(1),
  MaxLen(255),
  NameFormat((v) => NAME_FORMAT.test(v), INVALID_NAME_MESSAGE),
];

const booleanRules = (): PropertyDecorator[] => [NotNullOptional(), IsBooleanLike()];

/** Hypervisor host and node names (2.74). */
const fqdnRules = (): PropertyDecorator[] => [
  NotNullOptional(),
  IsString(),
  MinLen(1),
  MaxLen(255),
  Pattern(FQDN_PATTERN),
];

const PersonalityFile = bodyClass(
  'PersonalityFile',
  '2.1',
  [
    { name: 'path', rules: () => [NotNullOptional(), IsString()] },
    {
      name: 'contents',
      rules: () => [NotNullOptional(), IsString(), Format('base64', isBase64Format)],
    },
  ],
  { allExtras: false },
);

const SecurityGroupName = bodyClass(
  'SecurityGroupName',
  '2.1',
  [{ name: 'name', rules: nameRules(false) }],
  {
    allExtras: false,
  },
);

const listOf = (cls: new () => object) => (): PropertyDecorator[] => [
  NotNullOptional(),
  IsArray(),
  EachObject(),
  ValidateNested({ each: true }),
  Type(() => cls),
];

/** Block device mappings are only checked for shape here: createServerRequest decides. */
const mappingsRules = (): PropertyDecorator[] => [NotNullOptional(), IsArray(), EachObject()];

/** Every field of `server` with the microversions it exists in (Nova's create schemas). */
export function serverFields(version: string): FieldSpec[] {
  return [
    { name: 'name', rules: nameRules(true) },
    {
      name: 'imageRef',
      // A uuid, or '' when booting from a volume.
      rules: () => [
        NotNullOptional(),
        OneOfSchemas((v) => typeof v === 'string' && (v === '' || isUuidFormat(v))),
      ],
    },
    {
      name: 'flavorRef',
      rules: () => [IsPresent(), HasType(['string', 'integer']), MinLen(1)],
    },
    { name: 'adminPass', rules: () => [NotNullOptional(), IsString()] },
    { name: 'metadata', rules: () => [NotNullOptional(), IsObject(), MetadataShape()] },
    { name: 'networks', until: '2.36', rules: networksRulesV21(version) },
    { name: 'networks', since: '2.37', rules: networksRulesV237(version) },
    {
      name: 'OS-DCF:diskConfig',
      rules: () => [NotNullOptional(), IsString(), OneOf(['AUTO', 'MANUAL'])],
    },
    {
      name: 'accessIPv4',
      rules: () => [NotNullOptional(), IsString(), Format('ipv4', isIpv4Format)],
    },
    {
      name: 'accessIPv6',
      rules: () => [NotNullOptional(), IsString(), Format('ipv6', isIpv6Format)],
    },
    { name: 'personality', until: '2.56', rules: listOf(PersonalityFile) },
    { name: 'availability_zone', rules: nameRules(false) },
    { name: 'block_device_mapping', rules: mappingsRules },
    { name: 'block_device_mapping_v2', rules: mappingsRules },
    { name: 'config_drive', rules: booleanRules },
    { name: 'key_name', rules: nameRules(false) },
    { name: 'min_count', rules: () => [NotNullOptional(), PositiveIntLike()] },
    { name: 'max_count', rules: () => [NotNullOptional(), PositiveIntLike()] },
    { name: 'return_reservation_id', rules: booleanRules },
    { name: 'security_groups', rules: listOf(SecurityGroupName) },
    {
      name: 'user_data',
      rules: () => [NotNullOptional(), IsString(), Format('base64', isBase64Format), MaxLen(65535)],
    },
    {
      name: 'description',
      since: '2.19',
      rules: () => [
        NotNullOptional(),
        HasType(['string', 'null']),
        MaxLen(255),
        Pattern(DESCRIPTION_FORMAT.source),
      ],
    },
    {
      name: 'tags',
      since: '2.52',
      rules: () => [NotNullOptional(), IsArray(), MaxItems(50), EachTag()],
    },
    {
      name: 'trusted_image_certificates',
      since: '2.63',
      rules: () => [
        NotNullOptional(),
        HasType(['array', 'null']),
        MinItems(1),
        MaxItems(50),
        UniqueItems(),
        EachString(1),
      ],
    },
    { name: 'host', since: '2.74', rules: fqdnRules },
    { name: 'hypervisor_hostname', since: '2.74', rules: fqdnRules },
    {
      name: 'hostname',
      since: '2.90',
      rules: () => [
        NotNullOptional(),
        IsString(),
        MinLen(2),
        MaxLen(63),
        Pattern(HOSTNAME_PATTERN),
      ],
    },
  ];
}

const hintsRules = (): PropertyDecorator[] => [
  NotNullOptional(),
  IsObject(),
  SchedulerHintsShape(),
];

/** The microversions at which the create body's schema changes. */
const CREATE_VERSIONS = [
  '2.1',
  '2.19',
  '2.32',
  '2.33',
  '2.37',
  '2.42',
  '2.52',
  '2.57',
  '2.63',
  '2.74',
  '2.90',
] as const;

function createBodyClass(version: string): new () => object {
  const server = bodyClass(
    `ServerCreateV${version.replace('.', '')}`,
    version,
    serverFields(version),
    {
      holder: 'server',
    },
  );
  return bodyClass(`CreateServerBodyV${version.replace('.', '')}`, version, [
    {
      name: 'server',
      rules: () => [IsPresent(), IsObject(), ValidateNested(), Type(() => server)],
    },
    { name: 'os:scheduler_hints', rules: hintsRules },
    { name: 'OS-SCH-HNT:scheduler_hints', rules: hintsRules },
  ]);
}

/**
 * POST /servers bodies by microversion, for `@VersionedBody(CREATE_SERVER_BODIES)`;
 * the validated body reads as CreateServerBodyFields. Then createServerRequest.
 */
export const CREATE_SERVER_BODIES: Readonly<Record<string, new () => object>> = Object.fromEntries(
  CREATE_VERSIONS.map((v) => [v, createBodyClass(v)]),
);
