import { Type } from 'class-transformer';
import { IsArray, IsObject, IsString, ValidateNested } from 'class-validator';
import { Invalid } from '@nova/common';
import type { ApiVersion } from '../http/api-version';
import { validateBody } from '../http/validation';
import { bodyClass } from './servers/body-class';
import { EachObject, Format, MaxItems, OneOfSchemas } from './servers/checks';
import { isIpv4Format, isIpv6Format, isUuidFormat } from './servers/formats';
import { deviceTagRules } from './servers/networks.dto';
import { IsPresent, NotNullOptional } from './validators';

/** What POST /servers/{id}/os-interface asks for. */
export interface InterfaceRequest {
  readonly netId: string | null;
  readonly portId: string | null;
  readonly fixedIp: string | null;
  readonly tag: string | null;
}

const ipAddress = (v: unknown) => typeof v === 'string' && (isIpv4Format(v) || isIpv6Format(v));

function attachmentBody(version: ApiVersion): new () => object {
  const fixedIp = bodyClass(
    'InterfaceFixedIp',
    version.toString(),
    [{ name: 'ip_address', rules: () => [IsPresent(), IsString(), OneOfSchemas(ipAddress)] }],
    { allExtras: false },
  );
  const attachment = bodyClass(
    'InterfaceAttachment',
    version.toString(),
    [
      {
        name: 'net_id',
        rules: () => [NotNullOptional(), IsString(), Format('uuid', isUuidFormat)],
      },
      {
        name: 'port_id',
        rules: () => [NotNullOptional(), IsString(), Format('uuid', isUuidFormat)],
      },
      {
        name: 'fixed_ips',
        rules: () => [
          NotNullOptional(),
          IsArray(),
          MaxItems(1),
          EachObject(),
          ValidateNested({ each: true }),
          Type(() => fixedIp),
        ],
      },
      { name: 'tag', since: '2.49', rules: deviceTagRules },
    ],
    { holder: 'interfaceAttachment' },
  );
  return bodyClass('InterfaceAttachmentBody', version.toString(), [
    {
      name: 'interfaceAttachment',
      rules: () => [NotNullOptional(), IsObject(), ValidateNested(), Type(() => attachment)],
    },
  ]);
}

/** Nova's attach_interface schema for the microversion, then its own two checks. */
export function parseInterfaceAttachment(body: unknown, version: ApiVersion): InterfaceRequest {
  const parsed = validateBody(attachmentBody(version), body) as {
    interfaceAttachment?: {
      net_id?: string;
      port_id?: string;
      fixed_ips?: Array<{ ip_address: string }>;
      tag?: string;
    };
  };
  const a = parsed.interfaceAttachment ?? {};
  const netId = a.net_id ?? null;
  const portId = a.port_id ?? null;
  const fixedIp = a.fixed_ips?.[0]?.ip_address ?? null;
  if (netId !== null && portId !== null) {
    throw new Invalid('Must not input both network_id and port_id');
  }
  if (fixedIp !== null && netId === null) {
    throw new Invalid('Must input network_id when request IP address');
  }
  return { netId, portId, fixedIp, tag: a.tag ?? null };
}
