import { Forbidden, Invalid, NotFound } from '@nova/common';
import { InstanceInvalidState, InstanceIsLocked, VmState } from '@nova/compute-state';
import { OverQuota } from '@nova/quota';
import type { ServerRecord } from '@nova/servers';
import type { ServerCreateRequest } from '../../dto/servers';

/**
 * The checks of POST /servers and of the server sub-resources that need no
 * I/O, with Nova's messages and codes (compute/api.py and its API handlers).
 */

/**
 * What the request asks that this service cannot give: without Neutron no
 * ports (`ports` when Neutron has them) and no security group but `default`
 * (`anySecurityGroup` when Neutron checks them).
 */
export function checkCreateRequest(
  request: ServerCreateRequest,
  options: { anySecurityGroup?: boolean; ports?: boolean } = {},
): void {
  if (request.hostname !== null && request.maxCount > 1) {
    throw new Invalid('Unable to allocate a single hostname to multiple instances');
  }
  if (request.networks.kind === 'list' && !options.ports) {
    const port = request.networks.nics.find((nic) => nic.portId !== null);
    if (port) {
      // The flat network has no ports to attach.
      throw new Invalid(`Port id ${port.portId} could not be found.`);
    }
  }
  const unknown = request.securityGroups.find((name) => name !== 'default');
  if (unknown !== undefined && !options.anySecurityGroup) {
    throw new Invalid(`Security group ${unknown} not found.`);
  }
}

export interface ImageFacts {
  readonly id: string;
  readonly status: string;
  readonly size: number | null;
  readonly min_ram: number;
  readonly min_disk: number;
  readonly properties: Readonly<Record<string, string>>;
}

export interface FlavorFacts {
  readonly memory_mb: number;
  readonly root_gb: number;
}

const GiB = 1024 ** 3;

/**
 * _check_requested_image for a local root disk. Returns whether the flavor
 * has no root disk, which only the zero_disk_flavor policy may boot.
 */
export function checkImageForFlavor(image: ImageFacts, flavor: FlavorFacts): { zeroDisk: boolean } {
  if (image.status !== 'active') {
    throw new Invalid(`Image ${image.id} is not active.`);
  }
  const configDrive = image.properties['img_config_drive'] ?? 'optional';
  if (configDrive !== 'optional' && configDrive !== 'mandatory') {
    throw new Invalid(`Image's config drive option '${configDrive}' is invalid`);
  }
  if (flavor.memory_mb < image.min_ram) {
    throw new Invalid("Flavor's memory is too small for requested image.");
  }
  const dest = flavor.root_gb * GiB;
  if (dest === 0) {
    return { zeroDisk: true };
  }
  const size = image.size ?? 0;
  if (size > dest) {
    throw new Invalid(
      `Flavor's disk is too small for requested image. Flavor disk is ${dest} bytes, image is ${size} bytes.`,
    );
  }
  if (image.min_disk * GiB > dest) {
    throw new Invalid(
      `Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is ${dest} bytes, minimum size is ${image.min_disk * GiB} bytes.`,
    );
  }
  return { zeroDisk: false };
}

/** A zero-disk flavor without the zero_disk_flavor policy (Nova: 403). */
export class ZeroDiskFlavorForbidden extends Forbidden {
  constructor() {
    super('Only volume-backed servers are allowed for flavors with zero disk.');
  }
}

const TRUE_STRINGS = ['1', 't', 'true', 'on', 'y', 'yes'];

/**
 * OS-DCF:diskConfig of a new server: as asked, else the image's
 * `auto_disk_config` property; AUTO on an image that disables it is 400.
 */
export function autoDiskConfig(
  requested: 'AUTO' | 'MANUAL' | null,
  image: Pick<ImageFacts, 'id' | 'properties'>,
): boolean {
  const fromImage = image.properties['auto_disk_config'];
  if (requested === 'AUTO' && fromImage?.trim().toLowerCase() === 'disabled') {
    throw new Invalid(`Requested image ${image.id} has automatic disk resizing disabled.`);
  }
  if (requested !== null) {
    return requested === 'AUTO';
  }
  return TRUE_STRINGS.includes((fromImage ?? '').trim().toLowerCase());
}

/** `metadata_items`: a per-request limit on how many items a server ends up with (-1: none). */
export function checkMetadataQuota(count: number, limit: number): void {
  if (limit >= 0 && count > limit) {
    throw new OverQuota(`Maximum number of metadata items exceeds ${limit}`);
  }
}

/** The injected_file* limits on personality files (before 2.57). */
export function checkPersonalityQuota(
  files: ReadonlyArray<{ readonly path: string; readonly contents: string }>,
  limits: {
    readonly injected_files: number;
    readonly injected_file_path_bytes: number;
    readonly injected_file_content_bytes: number;
  },
): void {
  if (files.length === 0) {
    return;
  }
  const over = (value: number, limit: number) => limit >= 0 && value > limit;
  if (over(files.length, limits.injected_files)) {
    throw new OverQuota('Personality file limit exceeded');
  }
  const longestPath = Math.max(...files.map((f) => Buffer.byteLength(f.path)));
  if (over(longestPath, limits.injected_file_path_bytes)) {
    throw new OverQuota(`Personality file path exceeds maximum ${limits.injected_file_path_bytes}`);
  }
  const largest = Math.max(...files.map((f) => Buffer.from(f.contents, 'base64').length));
  if (over(largest, limits.injected_file_content_bytes)) {
    throw new OverQuota(
      `Personality file content exceeds maximum ${limits.injected_file_content_bytes}`,
    );
  }
}

type Counted = 'instances' | 'cores' | 'ram';

/** One quota scope (the project, or the user within it): limits (-1 unlimited) and usage. */
export interface QuotaScope {
  readonly limits: Readonly<Record<Counted, number>>;
  readonly used: Readonly<Record<Counted, number>>;
}

/**
 * check_num_instances_quota: max_count instances if they fit in every scope,
 * else as many as fit when that is at least min_count, else Nova's OverQuota
 * ("Quota exceeded for instances: Requested 2-5, but already used 9 of 10 instances").
 */
export function instancesThatFit(
  flavor: { readonly vcpus: number; readonly memory_mb: number },
  minCount: number,
  maxCount: number,
  scopes: readonly QuotaScope[],
): number {
  const resources: Counted[] = ['cores', 'instances', 'ram']; // sorted, as Nova names them
  const deltas: Record<Counted, number> = {
    instances: maxCount,
    cores: maxCount * flavor.vcpus,
    ram: maxCount * flavor.memory_mb,
  };
  // The tightest scope per resource decides, and is the one a message reports.
  const tightest = (r: Counted) => {
    let best: { headroom: number; limit: number; used: number } | null = null;
    for (const { limits, used } of scopes) {
      const headroom = limits[r] < 0 ? Infinity : limits[r] - used[r];
      if (best === null || headroom < best.headroom) {
        best = { headroom, limit: limits[r], used: used[r] };
      }
    }
    return best ?? { headroom: Infinity, limit: -1, used: 0 };
  };
  const overs = resources.filter((r) => deltas[r] > 0 && tightest(r).headroom < deltas[r]);
  if (overs.length === 0) {
    return maxCount;
  }
  let allowed = tightest('instances').headroom;
  if (flavor.vcpus > 0) {
    allowed = Math.min(allowed, Math.floor(tightest('cores').headroom / flavor.vcpus));
  }
  if (flavor.memory_mb > 0) {
    allowed = Math.min(allowed, Math.floor(tightest('ram').headroom / flavor.memory_mb));
  }
  if (allowed >= minCount && allowed < maxCount) {
    return instancesThatFit(flavor, minCount, allowed, scopes);
  }
  const requested: Record<Counted, string> = {
    instances: minCount === maxCount ? String(minCount) : `${minCount}-${maxCount}`,
    cores: String(deltas.cores),
    ram: String(deltas.ram),
  };
  const names = overs.join(', ');
  throw new OverQuota(
    `Quota exceeded for ${names}: Requested ${overs.map((r) => requested[r]).join(', ')}, but already used ${overs
      .map((r) => tightest(r).used)
      .join(', ')} of ${overs.map((r) => tightest(r).limit).join(', ')} ${names}`,
  );
}

/** vm_states in which metadata and tags may change (Nova's API handlers). */
const CHANGEABLE_STATES: readonly string[] = [
  VmState.ACTIVE,
  VmState.PAUSED,
  VmState.SUSPENDED,
  VmState.STOPPED,
];

/**
 * 409 unless the server's metadata or tags may change now, with the action
 * name Nova's handler reports ('update metadata', 'delete tag', ...).
 * Metadata changes also honour the lock (admins excepted); tags do not.
 */
export function checkChangeable(
  server: Pick<ServerRecord, 'uuid' | 'vm_state' | 'locked'>,
  action: string,
  lock: { readonly isAdmin: boolean } | null,
): void {
  if (lock && server.locked && !lock.isAdmin) {
    throw new InstanceIsLocked(`Instance ${server.uuid} is locked`);
  }
  if (!CHANGEABLE_STATES.includes(server.vm_state)) {
    throw new InstanceInvalidState(
      `Cannot '${action}' instance ${server.uuid} while it is in vm_state ${server.vm_state}`,
    );
  }
}

/** GET /tags/{tag} of a tag the server does not have. */
export function tagNotShown(serverId: string, tag: string): NotFound {
  return new NotFound(`Server ${serverId} has no tag '${tag}'`);
}

/** DELETE /tags/{tag} of a tag the server does not have (InstanceTagNotFound). */
export function tagNotFound(uuid: string, tag: string): NotFound {
  return new NotFound(`Instance ${uuid} has no tag '${tag}'`);
}
