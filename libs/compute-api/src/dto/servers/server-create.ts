import { Invalid } from '@nova/common';
import type { ApiVersion } from '../../http/api-version';
import { uuidLike } from '../../http/uuid-like';
import { toBool } from '../validators';
import { bootImageFromMappings, BDM_NOT_SUPPORTED } from './block-devices';
import { canonicalIpv6, idFromHref, isUuidFormat } from './formats';
import type { NetworkRequestFields } from './networks.dto';
import type { CreateServerBodyFields, SchedulerHints } from './server-create.dto';

/** One requested NIC: a port, or a network (optionally with a fixed IP). */
export interface RequestedNic {
  readonly networkId: string | null;
  readonly portId: string | null;
  readonly fixedIp: string | null;
  readonly tag: string | null;
}

/**
 * `default`: nothing asked (before 2.37) or an empty list, Nova's "whatever
 * the project can use"; `auto`/`none` (2.37); or explicit NICs.
 */
export type RequestedNetworks =
  | { readonly kind: 'default' }
  | { readonly kind: 'auto' }
  | { readonly kind: 'none' }
  | { readonly kind: 'list'; readonly nics: readonly RequestedNic[] };

/** A validated POST /servers, with Nova's defaults applied. */
export interface ServerCreateRequest {
  readonly name: string;
  /** Canonical image uuid (from imageRef, or from the image boot mapping). */
  readonly imageId: string;
  /** The flavor's public id (the last path segment when flavorRef is a link). */
  readonly flavorId: string;
  readonly adminPass: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly networks: RequestedNetworks;
  readonly diskConfig: 'AUTO' | 'MANUAL' | null;
  readonly accessIPv4: string | null;
  readonly accessIPv6: string | null;
  /** Files to inject (before 2.57 only). */
  readonly personality: ReadonlyArray<{ readonly path: string; readonly contents: string }>;
  /** The zone asked for (null: `[DEFAULT] default_schedule_zone`). */
  readonly availabilityZone: string | null;
  /** From the legacy `zone:host[:node]` / `zone::node` forms (admin-only by policy). */
  readonly forcedHost: string | null;
  readonly forcedNode: string | null;
  readonly configDrive: boolean;
  readonly keyName: string | null;
  readonly minCount: number;
  readonly maxCount: number;
  readonly returnReservationId: boolean;
  /** Security group names, without duplicates; ['default'] when none asked. */
  readonly securityGroups: readonly string[];
  /** Base64 as sent. */
  readonly userData: string | null;
  /** Before 2.19 Nova sets the description to the name. */
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly trustedImageCertificates: readonly string[] | null;
  /** 2.74 requested destination (admin-only by policy). */
  readonly host: string | null;
  readonly hypervisorHostname: string | null;
  /** 2.90 requested hostname (null: derive it from the name). */
  readonly hostname: string | null;
  readonly schedulerHints: SchedulerHints;
}

export interface CreateServerOptions {
  /** Whether trusted image certificates can be honoured; if not, asking for them is 400. */
  readonly trustedCertsSupported?: boolean;
}

/**
 * The rest of Nova's create checks, past the schema (CREATE_SERVER_BODIES):
 * image vs block device mappings, NICs, counts, the legacy AZ forms.
 */
export function createServerRequest(
  body: CreateServerBodyFields,
  version: ApiVersion,
  options: CreateServerOptions = {},
): ServerCreateRequest {
  const s = body.server;
  const imageId = bootImage(s.imageRef, s.block_device_mapping, s.block_device_mapping_v2, version);
  const minCount = Number(s.min_count ?? 1);
  const maxCount = s.max_count === undefined ? minCount : Number(s.max_count);
  if (minCount > maxCount) {
    throw new Invalid('min_count must be <= max_count');
  }
  const networks = requestedNetworks(s.networks);
  if (
    maxCount > 1 &&
    networks.kind === 'list' &&
    networks.nics.some((nic) => nic.portId !== null)
  ) {
    throw new Invalid(
      'Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.',
    );
  }
  const certs = s.trusted_image_certificates ?? null;
  if (certs !== null && !options.trustedCertsSupported) {
    throw new Invalid('Image signature certificate validation is not supported.');
  }
  const zone = parseAvailabilityZone(s.availability_zone ?? null);
  const groups = unique((s.security_groups ?? []).map((g) => g.name).filter(isText));
  return {
    name: s.name,
    imageId,
    flavorId: idFromHref(s.flavorRef),
    adminPass: s.adminPass ?? null,
    metadata: s.metadata ?? {},
    networks,
    diskConfig: s['OS-DCF:diskConfig'] ?? null,
    accessIPv4: s.accessIPv4 ?? null,
    accessIPv6: s.accessIPv6 === undefined ? null : canonicalIpv6(s.accessIPv6),
    personality: (s.personality ?? []).map((f) => ({
      path: f.path ?? '',
      contents: f.contents ?? '',
    })),
    ...zone,
    configDrive: s.config_drive === undefined ? false : toBool(s.config_drive),
    keyName: s.key_name ?? null,
    minCount,
    maxCount,
    returnReservationId:
      s.return_reservation_id === undefined ? false : toBool(s.return_reservation_id),
    securityGroups: groups.length > 0 ? groups : ['default'],
    userData: s.user_data ?? null,
    description: version.atLeast('2.19') ? (s.description ?? null) : s.name,
    tags: unique(s.tags ?? []),
    trustedImageCertificates: certs,
    host: s.host ?? null,
    hypervisorHostname: s.hypervisor_hostname ?? null,
    hostname: s.hostname ?? null,
    schedulerHints: body['os:scheduler_hints'] ?? body['OS-SCH-HNT:scheduler_hints'] ?? {},
  };
}

function bootImage(
  imageRef: string | undefined,
  legacy: ReadonlyArray<Record<string, unknown>> | undefined,
  mappings: ReadonlyArray<Record<string, unknown>> | undefined,
  version: ApiVersion,
): string {
  const fromMappings = bootImageFromMappings(legacy, mappings, version.toString());
  if (imageRef) {
    const image = uuidLike(imageRef)!; // the schema checked the format
    if (fromMappings !== null && fromMappings !== image) {
      throw new Invalid(BDM_NOT_SUPPORTED);
    }
    return image;
  }
  if (fromMappings !== null) {
    return fromMappings;
  }
  throw new Invalid('Missing imageRef attribute');
}

function requestedNetworks(value: NetworkRequestFields[] | 'auto' | 'none' | undefined) {
  if (value === 'auto' || value === 'none') {
    return { kind: value } as const;
  }
  if (value === undefined || value.length === 0) {
    return { kind: 'default' } as const;
  }
  return { kind: 'list', nics: value.map(requestedNic) } as const;
}

function requestedNic(n: NetworkRequestFields): RequestedNic {
  const tag = n.tag ?? null;
  const fixedIp = n.fixed_ip ?? null;
  if (n.port) {
    // A port carries its network.
    return { networkId: null, portId: uuidLike(n.port) ?? n.port, fixedIp, tag };
  }
  if (n.uuid === undefined) {
    throw new Invalid("Bad network format: missing 'uuid'");
  }
  if (!isUuidFormat(n.uuid)) {
    throw new Invalid(`Bad networks format: network uuid is not in proper format (${n.uuid})`);
  }
  return { networkId: uuidLike(n.uuid)!, portId: null, fixedIp, tag };
}

/**
 * The legacy admin forms `zone:host`, `zone:host:node` and `zone::node`
 * (an empty zone means the default zone).
 */
export function parseAvailabilityZone(value: string | null): {
  availabilityZone: string | null;
  forcedHost: string | null;
  forcedNode: string | null;
} {
  const parts = value?.split(':') ?? [];
  let zone = value;
  let host: string | null = null;
  let node: string | null = null;
  if (parts.length === 2) {
    [zone, host] = parts as [string, string];
  } else if (parts.length === 3) {
    [zone, host, node] = parts as [string, string, string];
  } else if (parts.length > 3) {
    throw new Invalid('Invalid input received: Unable to parse availability_zone');
  }
  return {
    availabilityZone: zone || null,
    forcedHost: host || null,
    forcedNode: node || null,
  };
}

function isText(v: string | undefined): v is string {
  return typeof v === 'string' && v !== '';
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
