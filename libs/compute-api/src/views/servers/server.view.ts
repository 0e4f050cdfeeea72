import { showsFault, statusFromState } from '@nova/compute-state';
import type { ServerFlavor, ServerRecord } from '@nova/servers';
import type { ApiVersion } from '../../http/api-version';
import { OMIT, VersionedView } from '../../http/versioned-view';
import { hostId, isoTime, usageTime } from './formatting';
import type { ServerLinks } from './server-links';

/**
 * Which representation: `brief` (GET /servers entries), `detail` (GET
 * /servers/detail entries), `show` (GET /servers/{id}), `update` (PUT
 * /servers/{id}: a reduced view before 2.75, `show` after) or `rebuild` (as
 * `update`, with key_name from 2.54 and user_data from 2.57).
 */
export type ServerShape = 'brief' | 'detail' | 'show' | 'update' | 'rebuild';

export interface ServerViewContext {
  readonly version: ApiVersion;
  readonly links: ServerLinks;
  readonly shape: ServerShape;
  /** os_compute_api:os-extended-server-attributes (admin): the OS-EXT-SRV-ATTR:* fields. */
  readonly extendedAttributes: boolean;
  /** context.is_admin: fault details of 500 faults. */
  readonly isAdmin: boolean;
  /** os_compute_api:servers:show:flavor-extra-specs: extra_specs in the 2.47+ flavor. */
  readonly flavorExtraSpecs: boolean;
  /**
   * host_status (2.16+), only when policy lets the caller see it: UP, DOWN,
   * MAINTENANCE, UNKNOWN, or '' for a server without a host.
   */
  readonly hostStatus?: (server: ServerRecord) => string;
  /** server_groups (2.71+, show/update): the uuids of the groups the server is in. */
  readonly serverGroups?: readonly string[];
}

/** Statuses with a `progress` (Nova's view builder). */
const PROGRESS_STATUSES = ['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING'];

const status = (s: ServerRecord) => statusFromState(s.vm_state, s.task_state);
/** PUT and rebuild answered with a reduced view until 2.75 made them the same as GET. */
const full = (c: ServerViewContext) =>
  (c.shape !== 'update' && c.shape !== 'rebuild') || c.version.atLeast('2.75');
const rebuild = (c: ServerViewContext) => c.shape === 'rebuild';
const admin = (c: ServerViewContext) => full(c) && c.extendedAttributes;

function image(s: ServerRecord, c: ServerViewContext) {
  return s.image_ref
    ? { id: s.image_ref, links: [{ rel: 'bookmark', href: c.links.image(s.image_ref) }] }
    : '';
}

function flavorLink(f: ServerFlavor, c: ServerViewContext) {
  return { id: f.flavorid, links: [{ rel: 'bookmark', href: c.links.flavor(f.flavorid) }] };
}

/** 2.47+: the flavor the server was built with, embedded. */
function flavorEmbedded(f: ServerFlavor, c: ServerViewContext) {
  return {
    vcpus: f.vcpus,
    ram: f.memory_mb,
    disk: f.root_gb,
    ephemeral: f.ephemeral_gb,
    swap: f.swap,
    original_name: f.name,
    ...(c.flavorExtraSpecs ? { extra_specs: f.extra_specs } : {}),
  };
}

function addresses(s: ServerRecord, c: ServerViewContext) {
  const extended = full(c);
  return Object.fromEntries(
    Object.entries(s.addresses).map(([network, ips]) => [
      network,
      ips.map((ip) =>
        extended
          ? {
              version: ip.version,
              addr: ip.addr,
              'OS-EXT-IPS:type': ip.type,
              'OS-EXT-IPS-MAC:mac_addr': ip.mac,
            }
          : { version: ip.version, addr: ip.addr },
      ),
    ]),
  );
}

/** Details of a 500 fault are for admins only (they are tracebacks). */
function fault(s: ServerRecord, c: ServerViewContext) {
  if (!showsFault(s.vm_state, s.task_state) || s.fault === null) {
    return OMIT;
  }
  const f = s.fault;
  return {
    code: f.code,
    created: isoTime(f.created),
    message: f.message,
    ...(f.details && (c.isAdmin || f.code !== 500) ? { details: f.details } : {}),
  };
}

const brief = new VersionedView<ServerRecord, ServerViewContext>()
  .field('id', (s) => s.uuid)
  .field('name', (s) => s.display_name)
  .field('links', (s, c) => c.links.server(s.uuid));

/** Field order follows Nova's responses (samples 16-18, 20-22, 58-59). */
const detailed = new VersionedView<ServerRecord, ServerViewContext>()
  .field('id', (s) => s.uuid)
  .field('name', (s) => s.display_name)
  .field('status', status)
  .field('tenant_id', (s) => s.project_id)
  .field('user_id', (s) => s.user_id)
  .field('metadata', (s) => s.metadata)
  .field('hostId', (s) => hostId(s.project_id, s.host))
  .field('image', image)
  .field('flavor', (s, c) => flavorLink(s.flavor, c), { until: '2.46' })
  .field('flavor', (s, c) => flavorEmbedded(s.flavor, c), { since: '2.47' })
  .field('created', (s) => isoTime(s.created_at))
  .field('updated', (s) => isoTime(s.updated_at ?? s.created_at))
  .field('addresses', addresses)
  .field('accessIPv4', (s) => s.access_ip_v4 ?? '')
  .field('accessIPv6', (s) => s.access_ip_v6 ?? '')
  .field('links', (s, c) => c.links.server(s.uuid))
  .field('OS-DCF:diskConfig', (s) => (s.auto_disk_config ? 'AUTO' : 'MANUAL'))
  .field('fault', fault)
  .field('progress', (s) => (PROGRESS_STATUSES.includes(status(s)) ? (s.progress ?? 0) : OMIT))
  .field('OS-EXT-AZ:availability_zone', (s) => s.availability_zone ?? '', { when: full })
  .field('config_drive', (s) => s.config_drive ?? '', { when: full })
  .field('key_name', (s) => s.key_name, {
    when: (c) => full(c) || (rebuild(c) && c.version.atLeast('2.54')),
  })
  .field('OS-SRV-USG:launched_at', (s) => usageTime(s.launched_at), { when: full })
  .field('OS-SRV-USG:terminated_at', (s) => usageTime(s.terminated_at), { when: full })
  .field(
    'security_groups',
    (s) => (s.security_groups.length > 0 ? s.security_groups.map((name) => ({ name })) : OMIT),
    { when: full },
  )
  .field('OS-EXT-SRV-ATTR:host', (s) => s.host, { when: admin })
  .field('OS-EXT-SRV-ATTR:instance_name', (s) => s.instance_name, { when: admin })
  .field('OS-EXT-SRV-ATTR:hypervisor_hostname', (s) => s.node, { when: admin })
  .field('OS-EXT-SRV-ATTR:reservation_id', (s) => s.reservation_id, { since: '2.3', when: admin })
  .field('OS-EXT-SRV-ATTR:launch_index', (s) => s.launch_index, { since: '2.3', when: admin })
  .field('OS-EXT-SRV-ATTR:hostname', (s) => s.hostname, { since: '2.3', when: admin })
  .field('OS-EXT-SRV-ATTR:kernel_id', (s) => s.kernel_id ?? '', { since: '2.3', when: admin })
  .field('OS-EXT-SRV-ATTR:ramdisk_id', (s) => s.ramdisk_id ?? '', { since: '2.3', when: admin })
  .field('OS-EXT-SRV-ATTR:root_device_name', (s) => s.root_device_name, {
    since: '2.3',
    when: admin,
  })
  .field('OS-EXT-SRV-ATTR:user_data', (s) => s.user_data, {
    since: '2.3',
    when: (c) => admin(c) && !rebuild(c),
  })
  .field('user_data', (s) => s.user_data, { since: '2.57', when: rebuild })
  .field('OS-EXT-STS:task_state', (s) => s.task_state, { when: full })
  .field('OS-EXT-STS:vm_state', (s) => s.vm_state, { when: full })
  .field('OS-EXT-STS:power_state', (s) => s.power_state, { when: full })
  .field('os-extended-volumes:volumes_attached', () => [], { when: full })
  .field('host_status', (s, c) => c.hostStatus!(s), {
    since: '2.16',
    when: (c) => full(c) && c.shape !== 'detail' && c.hostStatus !== undefined,
  })
  .field('locked', (s) => s.locked, { since: '2.9' })
  .field('locked_reason', (s) => s.locked_reason, { since: '2.73' })
  .field('description', (s) => s.display_description, { since: '2.19' })
  .field('tags', (s) => s.tags, { since: '2.26' })
  .field('trusted_image_certificates', (s) => s.trusted_certs ?? null, { since: '2.63' })
  // From 2.90 everyone sees the hostname; admins already have it above.
  .field('OS-EXT-SRV-ATTR:hostname', (s) => s.hostname, {
    since: '2.90',
    when: (c) => !admin(c),
  })
  // Lists add host_status after the rest (sample 22), single servers before `locked` (18).
  .field('host_status', (s, c) => c.hostStatus!(s), {
    since: '2.16',
    when: (c) => c.shape === 'detail' && c.hostStatus !== undefined,
  })
  .field('server_groups', (_, c) => c.serverGroups ?? [], {
    since: '2.71',
    when: (c) => c.shape === 'show' || c.shape === 'update' || c.shape === 'rebuild',
  });

/** One server, as the shape in the context asks (wrap it in `server`/`servers` yourself). */
export function serverView(server: ServerRecord, ctx: ServerViewContext): Record<string, unknown> {
  const view = ctx.shape === 'brief' ? brief : detailed;
  return view.render(server, ctx.version, ctx);
}
