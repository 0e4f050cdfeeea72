import { Type } from 'class-transformer';
import { IsObject, IsString, ValidateNested } from 'class-validator';
import { IsPresent, NotNullOptional } from '../validators';
import { bodyClass, type FieldSpec } from './body-class';
import { Format, HasType, MaxLen, MinLen, NameFormat, OneOf, Pattern } from './checks';
import {
  canonicalIpv6,
  DESCRIPTION_FORMAT,
  HOSTNAME_PATTERN,
  INVALID_NAME_MESSAGE,
  isIpv4Format,
  isIpv6Format,
  NAME_FORMAT,
} from './formats';

/** The `server` object of PUT /servers/{id}. */
export interface ServerUpdateFields {
  name?: string;
  description?: string | null;
  accessIPv4?: string;
  accessIPv6?: string;
  'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL';
  hostname?: string;
}

export interface UpdateServerBodyFields {
  server: ServerUpdateFields;
}

const UPDATE_FIELDS: FieldSpec[] = [
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
    name: 'hostname',
    since: '2.90',
    rules: () => [NotNullOptional(), IsString(), MinLen(2), MaxLen(63), Pattern(HOSTNAME_PATTERN)],
  },
];

function updateBodyClass(version: string): new () => object {
  const tag = version.replace('.', '');
  const server = bodyClass(`ServerUpdateV${tag}`, version, UPDATE_FIELDS, { holder: 'server' });
  return bodyClass(`UpdateServerBodyV${tag}`, version, [
    {
      name: 'server',
      rules: () => [IsPresent(), IsObject(), ValidateNested(), Type(() => server)],
    },
  ]);
}

/** PUT /servers/{id} bodies by microversion (`@VersionedBody(UPDATE_SERVER_BODIES)`). */
export const UPDATE_SERVER_BODIES: Readonly<Record<string, new () => object>> = {
  '2.1': updateBodyClass('2.1'),
  '2.19': updateBodyClass('2.19'),
  '2.90': updateBodyClass('2.90'),
};

/** What an update changes: only the keys the body has (description may be set to null). */
export interface ServerUpdateRequest {
  readonly name?: string;
  readonly description?: string | null;
  readonly accessIPv4?: string;
  readonly accessIPv6?: string;
  readonly diskConfig?: 'AUTO' | 'MANUAL';
  readonly hostname?: string;
}

export function updateServerRequest(body: UpdateServerBodyFields): ServerUpdateRequest {
  const s = body.server;
  return {
    ...(s.name !== undefined ? { name: s.name } : {}),
    ...(s.description !== undefined ? { description: s.description } : {}),
    ...(s.accessIPv4 !== undefined ? { accessIPv4: s.accessIPv4 } : {}),
    ...(s.accessIPv6 !== undefined ? { accessIPv6: canonicalIpv6(s.accessIPv6) } : {}),
    ...(s['OS-DCF:diskConfig'] !== undefined ? { diskConfig: s['OS-DCF:diskConfig'] } : {}),
    ...(s.hostname !== undefined ? { hostname: s.hostname } : {}),
  };
}
