import { Body, Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Invalid, NotFound, type RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { ImageNotAuthorized, ImageNotFound, ImageService } from '@nova/images';
import {
  NETWORK_API,
  NEUTRON_PORTS,
  SecurityGroupNotFound,
  type NetworkApi,
  type NeutronPortsPort,
  type ServerRef,
} from '@nova/network';
import { PolicyEnforcer } from '@nova/policy';
import {
  CONSOLES,
  SERVERS,
  type ConsolesPort,
  type ServerOperation,
  type ServerRecord,
  type ServersPort,
} from '@nova/servers';
import {
  ActionNotImplemented,
  LEGACY_CONSOLE_ACTIONS,
  parseServerAction,
  SERVER_ACTIONS,
  type ServerAction,
} from '../../dto/servers';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { ActionBodies, Ctx, ReqVersion } from '../../http/route-meta';
import { FloatingAddresses } from '../network/floating-addresses';
import { newAdminPassword } from './server-build';
import { findServer } from './server-lookup';
import { ServerPresenter } from './server-presenter';
import { ServerImageActions } from './server-image-actions';
import { ServerRebuilder } from './server-rebuilder';
import { ServerResizer } from './server-resizer';
import { wireImage } from './wire-image';

type ActionName = ServerAction['action'];
type Of<K extends ActionName> = Extract<ServerAction, { action: K }>;

/** Each action's policy rule, and whether it targets the owner user as well (Nova's targets). */
const POLICIES: Record<ActionName, { rule: string; withUser: boolean }> = {
  reboot: { rule: 'os_compute_api:servers:reboot', withUser: false },
  'os-stop': { rule: 'os_compute_api:servers:stop', withUser: true },
  'os-start': { rule: 'os_compute_api:servers:start', withUser: true },
  pause: { rule: 'os_compute_api:os-pause-server:pause', withUser: true },
  unpause: { rule: 'os_compute_api:os-pause-server:unpause', withUser: true },
  suspend: { rule: 'os_compute_api:os-suspend-server:suspend', withUser: true },
  resume: { rule: 'os_compute_api:os-suspend-server:resume', withUser: true },
  lock: { rule: 'os_compute_api:os-lock-server:lock', withUser: true },
  unlock: { rule: 'os_compute_api:os-lock-server:unlock', withUser: false },
  'os-getConsoleOutput': { rule: 'os_compute_api:os-console-output', withUser: false },
  rebuild: { rule: 'os_compute_api:servers:rebuild', withUser: true },
  rescue: { rule: 'os_compute_api:os-rescue', withUser: false },
  unrescue: { rule: 'os_compute_api:os-unrescue', withUser: false },
  'os-resetState': { rule: 'os_compute_api:os-admin-actions:reset_state', withUser: false },
  injectNetworkInfo: {
    rule: 'os_compute_api:os-admin-actions:inject_network_info',
    withUser: false,
  },
  changePassword: { rule: 'os_compute_api:os-admin-password', withUser: true },
  trigger_crash_dump: { rule: 'os_compute_api:servers:trigger_crash_dump', withUser: true },
  forceDelete: { rule: 'os_compute_api:os-deferred-delete:force', withUser: true },
  restore: { rule: 'os_compute_api:os-deferred-delete:restore', withUser: false },
  addSecurityGroup: { rule: 'os_compute_api:os-security-groups:add', withUser: false },
  removeSecurityGroup: { rule: 'os_compute_api:os-security-groups:remove', withUser: false },
  addFloatingIp: { rule: 'os_compute_api:os-floating-ips:add', withUser: false },
  removeFloatingIp: { rule: 'os_compute_api:os-floating-ips:remove', withUser: false },
  resize: { rule: 'os_compute_api:servers:resize', withUser: true },
  confirmResize: { rule: 'os_compute_api:servers:confirm_resize', withUser: false },
  revertResize: { rule: 'os_compute_api:servers:revert_resize', withUser: false },
  migrate: { rule: 'os_compute_api:os-migrate-server:migrate', withUser: false },
  'os-migrateLive': { rule: 'os_compute_api:os-migrate-server:migrate_live', withUser: false },
  evacuate: { rule: 'os_compute_api:os-evacuate', withUser: true },
  createImage: { rule: 'os_compute_api:servers:create_image', withUser: false },
  createBackup: { rule: 'os_compute_api:os-create-backup', withUser: true },
  shelve: { rule: 'os_compute_api:os-shelve:shelve', withUser: true },
  shelveOffload: { rule: 'os_compute_api:os-shelve:shelve_offload', withUser: true },
  unshelve: { rule: 'os_compute_api:os-shelve:unshelve', withUser: false },
  'os-getVNCConsole': { rule: 'os_compute_api:os-remote-consoles', withUser: false },
  'os-getSPICEConsole': { rule: 'os_compute_api:os-remote-consoles', withUser: false },
  'os-getSerialConsole': { rule: 'os_compute_api:os-remote-consoles', withUser: false },
};

/** An action's policy: migrations to a host an admin names have their own rule, as in Nova. */
function policyOf(action: ServerAction): { rule: string; withUser: boolean } {
  const policy = POLICIES[action.action];
  if ((action.action === 'migrate' || action.action === 'os-migrateLive') && action.host) {
    return { ...policy, rule: `${policy.rule}:host` };
  }
  return policy;
}

const UNLOCK_OVERRIDE = 'os_compute_api:os-lock-server:unlock:unlock_override';

/** What an action answers: a status, headers and an optional body. */
interface Answer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

const ACCEPTED: Answer = { status: 202 };

/** Nova's 400 for removing a group the server does not have. */
class SecurityGroupNotAssociated extends Invalid {
  constructor(group: string, uuid: string) {
    super(`Security group ${group} not associated with the instance ${uuid}`);
  }
}

/**
 * POST /servers/{id}/action: the body names the action (parseServerAction:
 * 400 malformed or unknown, 404 outside its microversions), then the lookup
 * (404, also for the actions this service does not carry out, which are then
 * 501), the action's policy on the server, and its handler. State and lock
 * checks (409) are the port's.
 */
@Controller(apiPaths('servers/:server_id/action'))
export class ServerActionsController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    private readonly policy: PolicyEnforcer,
    private readonly images: ImageService,
    private readonly rebuilder: ServerRebuilder,
    private readonly resizer: ServerResizer,
    private readonly presenter: ServerPresenter,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    @Inject(NETWORK_API) private readonly network: NetworkApi,
    private readonly imageActions: ServerImageActions,
    @Inject(CONSOLES) private readonly consoles: ConsolesPort,
    @Inject(NEUTRON_PORTS) private readonly neutron: { value: NeutronPortsPort | null },
    private readonly floatingAddresses: FloatingAddresses,
  ) {}

  @Post()
  @ActionBodies(SERVER_ACTIONS)
  async act(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('server_id') id: string,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    let action: ServerAction;
    try {
      action = parseServerAction(body, v, { trustedCertsSupported: false });
    } catch (err) {
      if (err instanceof ActionNotImplemented) {
        await findServer(this.servers, ctx, id); // an unknown server is 404 first, as in Nova
      }
      throw err;
    }
    const server = await findServer(this.servers, ctx, id);
    const { rule, withUser } = policyOf(action);
    this.policy.authorize(ctx, rule, {
      project_id: server.project_id,
      ...(withUser ? { user_id: server.user_id } : {}),
    });
    const answer = await this.handle(ctx, v, req, server, action);
    await reply
      .code(answer.status)
      .headers(answer.headers ?? {})
      .send(answer.body);
  }

  private async handle(
    ctx: RequestContext,
    v: ApiVersion,
    req: FastifyRequest,
    server: ServerRecord,
    action: ServerAction,
  ): Promise<Answer> {
    const caller = { isAdmin: ctx.isAdmin };
    const operate = async (op: ServerOperation) => {
      await this.servers.operate(ctx, server, op, caller);
      return ACCEPTED;
    };
    switch (action.action) {
      case 'os-getConsoleOutput': {
        const output = await this.servers.consoleOutput(ctx, server, action.length);
        return { status: 200, body: { output: withoutControlCharacters(output) } };
      }
      case 'lock':
        await this.servers.setLock(ctx, server, { locked: true, reason: action.reason });
        return ACCEPTED;
      case 'unlock':
        this.checkUnlock(ctx, server);
        await this.servers.setLock(ctx, server, { locked: false });
        return ACCEPTED;
      case 'reboot':
        return operate({ kind: 'reboot', type: action.type });
      case 'os-stop':
        return operate({ kind: 'stop' });
      case 'os-start':
        return operate({ kind: 'start' });
      case 'pause':
      case 'unpause':
      case 'suspend':
      case 'resume':
      case 'unrescue':
      case 'injectNetworkInfo':
      case 'restore':
        return operate({ kind: action.action });
      case 'trigger_crash_dump':
        return operate({ kind: 'crashDump' });
      case 'changePassword':
        return operate({ kind: 'changePassword', adminPassword: action.adminPass });
      case 'rescue':
        return this.rescue(ctx, server, action);
      case 'rebuild':
        return this.rebuild(ctx, v, req, server, action);
      case 'os-resetState':
        await this.servers.resetState(ctx, server, action.state);
        return ACCEPTED;
      case 'forceDelete':
        await this.servers.delete(ctx, server, caller, { force: true });
        return ACCEPTED;
      case 'addSecurityGroup':
      case 'removeSecurityGroup':
        return this.securityGroup(ctx, server, action);
      case 'addFloatingIp':
        return this.addFloatingIp(ctx, server, action);
      case 'removeFloatingIp':
        await this.network.disassociateFloatingIp(ctx, serverRef(server), action.address);
        await this.floatingAddresses.refresh(ctx, server);
        return ACCEPTED;
      case 'resize':
        await this.resizer.resize(ctx, server, action);
        return ACCEPTED;
      case 'confirmResize':
        await this.servers.finishResize(ctx, server, 'confirm', caller);
        return { status: 204 };
      case 'revertResize':
        await this.servers.finishResize(ctx, server, 'revert', caller);
        return ACCEPTED;
      case 'migrate':
        await this.servers.move(ctx, server, { kind: 'migrate', host: action.host }, caller);
        return ACCEPTED;
      case 'os-migrateLive':
        if (action.force && !action.host) {
          throw new Invalid("Can't force to a non-provided destination");
        }
        await this.servers.move(
          ctx,
          server,
          {
            kind: 'liveMigrate',
            host: action.host,
            blockMigration: action.blockMigration,
            // Before 2.30 a named host is used as is, without the scheduler's filters.
            force: v.atLeast('2.30') ? action.force : action.host !== null,
            async: v.atLeast('2.34'),
          },
          caller,
        );
        return ACCEPTED;
      case 'evacuate':
        return this.evacuate(ctx, v, server, action);
      case 'createImage':
      case 'createBackup':
        return this.imageActions.createImage(ctx, v, req, server, action);
      case 'shelve':
        await this.servers.shelve(ctx, server, caller);
        return ACCEPTED;
      case 'shelveOffload':
        await this.servers.shelveOffload(ctx, server, caller);
        return ACCEPTED;
      case 'unshelve':
        await this.imageActions.unshelve(ctx, server, action);
        return ACCEPTED;
      case 'os-getVNCConsole':
      case 'os-getSPICEConsole':
      case 'os-getSerialConsole': {
        const { protocol } = LEGACY_CONSOLE_ACTIONS[action.action];
        const { url } = await this.consoles.create(ctx, server, protocol, action.type);
        return { status: 200, body: { console: { type: action.type, url } } };
      }
    }
  }

  /**
   * 200; before 2.14 with the new admin password (none on shared storage,
   * where giving one is 400), as Nova.
   */
  private async evacuate(
    ctx: RequestContext,
    v: ApiVersion,
    server: ServerRecord,
    action: Of<'evacuate'>,
  ): Promise<Answer> {
    if (action.force && !action.host) {
      throw new Invalid("Can't force to a non-provided destination");
    }
    const legacy = !v.atLeast('2.14');
    if (legacy && action.onSharedStorage && action.adminPass !== null) {
      throw new Invalid("admin password can't be changed on existing disk");
    }
    const adminPassword =
      action.adminPass ?? (legacy && action.onSharedStorage ? null : newAdminPassword());
    await this.servers.move(
      ctx,
      server,
      {
        kind: 'evacuate',
        host: action.host,
        // Before 2.29 a named host is used as is, without the scheduler's filters.
        force: v.atLeast('2.29') ? action.force : action.host !== null,
        adminPassword,
      },
      { isAdmin: ctx.isAdmin },
    );
    return legacy && this.config.api.enable_instance_password && adminPassword !== null
      ? { status: 200, body: { adminPass: adminPassword } }
      : { status: 200 };
  }

  /** 200 with the password the rescue boot got (`[api] enable_instance_password`), as Nova. */
  private async rescue(ctx: RequestContext, server: ServerRecord, action: Of<'rescue'>) {
    const rescueImageId = action.rescueImageRef ?? server.image_ref ?? '';
    const rescue = await this.image(ctx, rescueImageId);
    // The server's own image only describes its devices: gone from the image service, none.
    const own =
      server.image_ref === null || server.image_ref === rescueImageId
        ? rescue
        : await this.image(ctx, server.image_ref).catch(() => ({
            id: server.image_ref ?? '',
            name: null,
            min_disk: 0,
            min_ram: 0,
            properties: {},
          }));
    const adminPassword = action.adminPass ?? newAdminPassword();
    await this.servers.operate(
      ctx,
      server,
      { kind: 'rescue', image: own, rescueImage: rescue, adminPassword },
      { isAdmin: ctx.isAdmin },
    );
    return {
      status: 200,
      body: this.config.api.enable_instance_password ? { adminPass: adminPassword } : {},
    };
  }

  /** 202 with the server as PUT shows it, and its new admin password. */
  private async rebuild(
    ctx: RequestContext,
    v: ApiVersion,
    req: FastifyRequest,
    server: ServerRecord,
    action: Of<'rebuild'>,
  ): Promise<Answer> {
    const rebuilt = await this.rebuilder.rebuild(ctx, server, action.request);
    const view = await this.presenter.one(ctx, v, req, rebuilt.server, 'rebuild');
    return {
      status: 202,
      body: {
        server: {
          ...view,
          ...(this.config.api.enable_instance_password ? { adminPass: rebuilt.adminPass } : {}),
        },
      },
    };
  }

  /**
   * A server's groups are names it keeps. With Neutron the name (or id) must
   * be a group of the server's project (404, 409 when ambiguous), adding one
   * it has is a no-op and removing one it has not is 404, as Nova's Neutron
   * path; on the flat network any name goes, and both mistakes are 400.
   */
  private async securityGroup(
    ctx: RequestContext,
    server: ServerRecord,
    action: Of<'addSecurityGroup' | 'removeSecurityGroup'>,
  ): Promise<Answer> {
    const neutron = this.network.kind === 'neutron';
    const name = neutron
      ? (await this.network.findSecurityGroup(ctx, server.project_id, action.name)).name
      : action.name;
    const has = server.security_groups.includes(name);
    if (action.action === 'addSecurityGroup') {
      if (has && neutron) {
        return ACCEPTED;
      }
      if (has) {
        throw new Invalid(
          `Security group ${name} is already associated with the instance ${server.uuid}`,
        );
      }
      await this.setGroups(ctx, server, [...server.security_groups, name]);
    } else {
      if (!has) {
        throw neutron
          ? new SecurityGroupNotFound(
              `Security group ${action.name} not associated with the instance ${server.uuid}`,
            )
          : new SecurityGroupNotAssociated(name, server.uuid);
      }
      await this.setGroups(
        ctx,
        server,
        server.security_groups.filter((g) => g !== name),
      );
    }
    return ACCEPTED;
  }

  /**
   * Nova's addFloatingIp: to the fixed address named (one the server has),
   * else its first IPv4 fixed address.
   */
  private async addFloatingIp(
    ctx: RequestContext,
    server: ServerRecord,
    action: Of<'addFloatingIp'>,
  ): Promise<Answer> {
    const ref = serverRef(server);
    if (ref.fixedIps.length === 0) {
      throw new Invalid('No fixed IPs associated to instance');
    }
    let fixed = action.fixedAddress;
    if (fixed !== null && !ref.fixedIps.includes(fixed)) {
      throw new Invalid('Specified fixed address not assigned to instance');
    }
    fixed ??= ref.fixedIps.find((ip) => !ip.includes(':')) ?? null;
    if (fixed === null) {
      throw new Invalid(
        `Unable to associate floating IP ${action.address} to any fixed IPs for instance ${server.uuid}. Instance has no fixed IPv4 addresses to associate.`,
      );
    }
    await this.network.associateFloatingIp(ctx, ref, action.address, fixed);
    await this.floatingAddresses.refresh(ctx, server);
    return ACCEPTED;
  }

  /** The server's groups, on its Neutron ports first (a refusal there changes nothing). */
  private async setGroups(ctx: RequestContext, server: ServerRecord, names: string[]) {
    await this.neutron.value?.ports.applyGroups(ctx, server.uuid, server.project_id, names);
    await this.servers.setSecurityGroups(ctx, server, names);
  }

  private async image(ctx: RequestContext, id: string) {
    try {
      return wireImage(await this.images.get(ctx, id));
    } catch (err) {
      if (err instanceof ImageNotFound || err instanceof NotFound) {
        throw new Invalid(`Image ${id} could not be found.`);
      }
      throw err instanceof ImageNotAuthorized ? new Invalid(err.message) : err;
    }
  }

  /** Unlocking a lock someone else's role set (owner vs admin) needs the override policy. */
  private checkUnlock(ctx: RequestContext, server: ServerRecord): void {
    const expected = server.project_id === ctx.projectId ? 'owner' : 'admin';
    if (server.locked_by && server.locked_by !== expected) {
      this.policy.authorize(ctx, UNLOCK_OVERRIDE, { project_id: server.project_id });
    }
  }
}

/** Nova drops the C0 control characters other than tab and newline from console output. */
function withoutControlCharacters(text: string): string {
  return [...text]
    .filter((c) => {
      const code = c.charCodeAt(0);
      return !(code <= 0x08 || (code >= 0x0b && code <= 0x1f));
    })
    .join('');
}

/** What the floating IP calls need of a server: its fixed addresses, in order. */
function serverRef(server: ServerRecord): ServerRef {
  return {
    uuid: server.uuid,
    project_id: server.project_id,
    fixedIps: Object.values(server.addresses).flatMap((list) =>
      list.filter((a) => a.type === 'fixed').map((a) => a.addr),
    ),
  };
}
