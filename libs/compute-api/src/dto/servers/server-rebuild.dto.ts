import { Type } from 'class-transformer';
import { IsObject, IsString, ValidateNested } from 'class-validator';
import { Invalid } from '@nova/common';
import type { ActionOptions, ActionSpec } from './action-spec';
import { IsBooleanLike, IsPresent, NotNullOptional, toBool } from '../validators';
import { bodyClass, type FieldSpec } from './body-class';
import { Format, HasType, MaxLen, MinLen, NameFormat } from './checks';
import {
  canonicalIpv6,
  INVALID_NAME_MESSAGE,
  isBase64Format,
  isUuidFormat,
  NAME_FORMAT,
} from './formats';
import { serverFields } from './server-create.dto';

/** What POST /servers/{id}/action {"rebuild": ...} asks for, validated. */
export interface RebuildRequest {
  readonly imageId: string;
  readonly name?: string;
  readonly adminPass: string | null;
  /** Replaces the server's metadata when given. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly preserveEphemeral: boolean;
  readonly diskConfig?: 'AUTO' | 'MANUAL';
  readonly accessIPv4?: string;
  readonly accessIPv6?: string;
  /** 2.19. */
  readonly description?: string | null;
  /** 2.54: a keypair name, or null to drop the key. */
  readonly keyName?: string | null;
  /** 2.57: new user data, or null to drop it. */
  readonly userData?: string | null;
  /** 2.63. */
  readonly trustedImageCertificates?: readonly string[] | null;
  /** 2.90. */
  readonly hostname?: string;
  /** Before 2.57 (accepted; files are not injected). */
  readonly personality: ReadonlyArray<{ readonly path: string; readonly contents: string }>;
}

/** Fields of the create schema that rebuild takes as they are, per microversion. */
const SHARED = new Set([
  'adminPass',
  'metadata',
  'OS-DCF:diskConfig',
  'accessIPv4',
  'accessIPv6',
  'personality',
  'description',
  'trusted_image_certificates',
  'hostname',
]);

function rebuildFields(version: string): FieldSpec[] {
  return [
    ...serverFields(version).filter((f) => SHARED.has(f.name)),
    {
      name: 'imageRef',
      rules: () => [IsPresent(), IsString(), Format('uuid', isUuidFormat)],
    },
    {
      name: 'name',
      rules: () => [
        NotNullOptional(),
        IsString(),
        MinLen(1),
        MaxLen(255),
        NameFormat((v) => NAME_FORMAT.test(v), INVALID_NAME_MESSAGE),
      ],
    },
    { name: 'preserve_ephemeral', rules: () => [NotNullOptional(), IsBooleanLike()] },
    {
      name: 'key_name',
      since: '2.54',
      rules: () => [
        NotNullOptional(),
        HasType(['string', 'null']),
        MinLen(1),
        MaxLen(255),
        NameFormat((v) => NAME_FORMAT.test(v), INVALID_NAME_MESSAGE),
      ],
    },
    {
      name: 'user_data',
      since: '2.57',
      rules: () => [
        NotNullOptional(),
        HasType(['string', 'null']),
        Format('base64', isBase64Format),
        MaxLen(65535),
      ],
    },
  ];
}

interface RebuildFields {
  imageRef: string;
  name?: string;
  adminPass?: string;
  metadata?: Record<string, string>;
  preserve_ephemeral?: boolean | string;
  'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL';
  accessIPv4?: string;
  accessIPv6?: string;
  description?: string | null;
  key_name?: string | null;
  user_data?: string | null;
  trusted_image_certificates?: string[] | null;
  hostname?: string;
  personality?: Array<{ path?: string; contents?: string }>;
}

const VERSIONS = ['2.1', '2.19', '2.54', '2.57', '2.63', '2.90'] as const;

/** The rebuild body by the microversion each schema starts at. */
const BODIES: Record<string, new () => object> = Object.fromEntries(
  VERSIONS.map((v) => {
    const inner = bodyClass(`RebuildV${v.replace('.', '')}`, v, rebuildFields(v), {
      holder: 'rebuild',
    });
    const outer = bodyClass(`RebuildBodyV${v.replace('.', '')}`, v, [
      {
        name: 'rebuild',
        rules: () => [IsPresent(), IsObject(), ValidateNested(), Type(() => inner)],
      },
    ]);
    return [v, outer];
  }),
);

/** `{"rebuild": {...}}`: its schemas and what a valid one asks for. */
export const REBUILD_ACTION: ActionSpec<{ action: 'rebuild'; request: RebuildRequest }> = {
  bodies: BODIES,
  read: (body, _version, options) => ({
    action: 'rebuild',
    request: readRebuild((body as { rebuild: RebuildFields }).rebuild, options),
  }),
};

function readRebuild(r: RebuildFields, options: ActionOptions): RebuildRequest {
  if (r.trusted_image_certificates && !options.trustedCertsSupported) {
    throw new Invalid('Image signature certificate validation is not supported.');
  }
  return {
    imageId: r.imageRef.toLowerCase(),
    adminPass: r.adminPass ?? null,
    preserveEphemeral: r.preserve_ephemeral === undefined ? false : toBool(r.preserve_ephemeral),
    personality: (r.personality ?? []).map((f) => ({
      path: f.path ?? '',
      contents: f.contents ?? '',
    })),
    ...(r.name !== undefined ? { name: r.name } : {}),
    ...(r.metadata !== undefined ? { metadata: r.metadata } : {}),
    ...(r['OS-DCF:diskConfig'] !== undefined ? { diskConfig: r['OS-DCF:diskConfig'] } : {}),
    ...(r.accessIPv4 !== undefined ? { accessIPv4: r.accessIPv4 } : {}),
    ...(r.accessIPv6 !== undefined ? { accessIPv6: canonicalIpv6(r.accessIPv6) } : {}),
    ...(r.description !== undefined ? { description: r.description } : {}),
    ...(r.key_name !== undefined ? { keyName: r.key_name } : {}),
    ...(r.user_data !== undefined ? { userData: r.user_data } : {}),
    ...(r.trusted_image_certificates !== undefined
      ? { trustedImageCertificates: r.trusted_image_certificates }
      : {}),
    ...(r.hostname !== undefined ? { hostname: r.hostname } : {}),
  };
}
