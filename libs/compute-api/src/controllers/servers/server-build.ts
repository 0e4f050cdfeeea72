import { randomInt, randomUUID } from 'node:crypto';
import { Invalid } from '@nova/common';
import type {
  BuildInstanceFields,
  WireFlavor,
  WireImage,
  WireRequestSpec,
  WireServerGroup,
} from '@nova/compute-rpc';
import type { PendingBuild } from '@nova/servers';
import type { RequestedNetworks, ServerCreateRequest } from '../../dto/servers';

/**
 * POST /servers after the checks: the build request and request spec of each
 * instance, as Nova's _provision_instances makes them. Pure (ids and the clock
 * can be injected), so every naming rule is unit-tested.
 */

export interface BuildOwner {
  readonly projectId: string;
  readonly userId: string;
}

/** What the request resolved to (looked up and checked by ServerCreator). */
export interface BuildResources {
  readonly flavor: WireFlavor;
  readonly image: WireImage;
  readonly keypair: { readonly name: string; readonly publicKey: string | null } | null;
  readonly group: WireServerGroup | null;
}

export interface BuildOptions {
  /** How many instances: what the quota allows, between min_count and max_count. */
  readonly count: number;
  /** `[DEFAULT] default_schedule_zone`. */
  readonly defaultScheduleZone: string | null;
  /** `[DEFAULT] multi_instance_display_name_template`. */
  readonly nameTemplate: string;
  readonly now: Date;
  readonly newUuid?: () => string;
  readonly reservationId?: string;
}

export interface PlannedBuild {
  readonly reservationId: string;
  readonly builds: PendingBuild[];
}

export function planBuilds(
  request: ServerCreateRequest,
  owner: BuildOwner,
  resources: BuildResources,
  options: BuildOptions,
): PlannedBuild {
  const newUuid = options.newUuid ?? randomUUID;
  const reservationId = options.reservationId ?? newReservationId();
  const destination = requestedDestination(request);
  const zone = request.availabilityZone ?? options.defaultScheduleZone;
  const hints = specHints(request.schedulerHints);
  const builds = Array.from({ length: options.count }, (_, index): PendingBuild => {
    const uuid = newUuid();
    const fields: BuildInstanceFields = {
      uuid,
      display_name:
        options.count > 1
          ? multiInstanceName(options.nameTemplate, request.name, index, uuid)
          : request.name,
      display_description: request.description,
      project_id: owner.projectId,
      user_id: owner.userId,
      image_ref: resources.image.id,
      flavor: resources.flavor,
      key_name: resources.keypair?.name ?? null,
      key_data: resources.keypair?.publicKey ?? null,
      user_data: request.userData,
      hostname: request.hostname ?? instanceHostname(request.name, uuid, options.count, index),
      availability_zone: zone,
      access_ip_v4: request.accessIPv4,
      access_ip_v6: request.accessIPv6,
      // Nova stores config_drive as 'True' or ''.
      config_drive: request.configDrive ? 'True' : '',
      launch_index: index,
      reservation_id: reservationId,
      metadata: request.metadata,
      tags: request.tags,
      security_groups: request.networks.kind === 'none' ? [] : request.securityGroups,
      networks: buildNetworks(request.networks),
      created_at: options.now.toISOString(),
    };
    const spec: WireRequestSpec = {
      instance_uuids: [uuid],
      project_id: owner.projectId,
      user_id: owner.userId,
      flavor: resources.flavor,
      image: resources.image,
      availability_zone: zone,
      scheduler_hints: hints,
      group: resources.group,
      requested_host: destination.host,
      requested_node: destination.node,
      ignore_hosts: [],
    };
    return { fields, spec };
  });
  return { reservationId, builds };
}

/**
 * Where the request asks to go: 2.74 `host`/`hypervisor_hostname`, or the
 * legacy `zone:host:node` (forced). Both at once is 400, as in Nova.
 */
export function requestedDestination(request: ServerCreateRequest): {
  host: string | null;
  node: string | null;
  forced: boolean;
} {
  const requested = request.host !== null || request.hypervisorHostname !== null;
  const forced = request.forcedHost !== null || request.forcedNode !== null;
  if (requested && forced) {
    throw new Invalid(
      'One mechanism with host and/or hypervisor_hostname and another mechanism with zone:host:node are mutually exclusive.',
    );
  }
  return forced
    ? { host: request.forcedHost, node: request.forcedNode, forced }
    : { host: request.host, node: request.hypervisorHostname, forced };
}

/** Nova passes every hint to the scheduler; the wire takes strings and lists of strings. */
export function specHints(
  hints: Readonly<Record<string, unknown>>,
): Record<string, string | readonly string[]> {
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const out: Record<string, string | readonly string[]> = {};
  for (const [key, value] of Object.entries(hints)) {
    if (value === null || value === undefined) {
      continue;
    }
    // `query` may come as an object; the JsonFilter reads it as JSON text.
    out[key] = Array.isArray(value) ? value.map(text) : text(value);
  }
  return out;
}

/** Nothing asked before 2.37 means "whatever the project may use": on the flat network, `auto`. */
export function buildNetworks(networks: RequestedNetworks): BuildInstanceFields['networks'] {
  switch (networks.kind) {
    case 'default':
    case 'auto':
      return 'auto';
    case 'none':
      return 'none';
    case 'list':
      return networks.nics.map((nic) => ({
        ...(nic.networkId !== null ? { uuid: nic.networkId } : {}),
        ...(nic.fixedIp !== null ? { fixed_ip: nic.fixedIp } : {}),
        ...(nic.portId !== null ? { port: nic.portId } : {}),
        ...(nic.tag !== null ? { tag: nic.tag } : {}),
      }));
  }
}

/**
 * Nova's hostname of a new instance: the sanitized display name, `-N` added
 * when several are built, `Server-<uuid>` when nothing of the name is left.
 */
export function instanceHostname(
  displayName: string,
  uuid: string,
  count: number,
  index: number,
): string {
  const hostname = sanitizeHostname(displayName);
  if (hostname === '') {
    return `Server-${uuid}`;
  }
  return count > 1 ? `${hostname}-${index + 1}` : hostname;
}

/**
 * utils.sanitize_hostname: Latin-1 only, at most 63 characters, spaces,
 * underscores and dots to dashes, other non-word characters dropped,
 * lowercase, no leading or trailing dots and dashes.
 */
export function sanitizeHostname(name: string): string {
  const latin1 = [...name].filter((c) => c.codePointAt(0)! <= 0xff).join('');
  return latin1
    .slice(0, 63)
    .replace(/[ _.]/g, '-')
    .replace(/[^\p{L}\p{N}_.-]+/gu, '')
    .toLowerCase()
    .replace(/^[.-]+|[.-]+$/g, '');
}

/**
 * The display name of instance `index` of a multi-instance request, from the
 * template (Python %-format with name, count, uuid); a template that does not
 * format falls back to the plain name, as Nova does.
 */
export function multiInstanceName(
  template: string,
  name: string,
  index: number,
  uuid: string,
): string {
  const params: Record<string, string | number> = { name, count: index + 1, uuid };
  let failed = false;
  const formatted = template.replace(
    /%(?:\(([^)]*)\))?([sd%])/g,
    (_m, key: string | undefined, conversion: string) => {
      if (conversion === '%') {
        return '%';
      }
      const value = key === undefined ? undefined : params[key];
      if (value === undefined || (conversion === 'd' && typeof value !== 'number')) {
        failed = true;
        return '';
      }
      return String(value);
    },
  );
  return failed ? name : formatted;
}

const RESERVATION_CHARS = '01234567890abcdefghijklmnopqrstuvwxyz';

/** utils.generate_uid('r'): `r-` and 8 random characters. */
export function newReservationId(): string {
  const chars = Array.from(
    { length: 8 },
    () => RESERVATION_CHARS[randomInt(RESERVATION_CHARS.length)],
  );
  return `r-${chars.join('')}`;
}

/** Nova's password symbols: no 0, 1, I, O or l. */
const PASSWORD_GROUPS = ['23456789', 'ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz'];

/** utils.generate_password: one of each group, the rest from all, shuffled. */
export function newAdminPassword(length = 12): string {
  const pick = (s: string) => s[randomInt(s.length)];
  const all = PASSWORD_GROUPS.join('');
  const chars = PASSWORD_GROUPS.map(pick).slice(0, length);
  while (chars.length < length) {
    chars.push(pick(all));
  }
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
