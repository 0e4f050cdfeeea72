import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { Conflict, Invalid, NotFound, type RequestContext } from '@nova/common';
import type { WireVif } from '@nova/compute-rpc';
import { InstanceInvalidState, InstanceIsLocked, VmState } from '@nova/compute-state';
import {
  FixedIpAlreadyInUse,
  NEUTRON_PORTS,
  NetworkAmbiguous,
  NetworkNotFoundForCreate,
  PortInUse,
  PortNotFoundForCreate,
  type NeutronPort,
  type NeutronPortsPort,
  type PortRequest,
} from '@nova/network';
import { PolicyEnforcer } from '@nova/policy';
import { SERVERS, type ServerRecord, type ServersPort } from '@nova/servers';
import {
  parseInterfaceAttachment,
  type InterfaceRequest,
} from '../../dto/interface-attachment.dto';
import { apiPaths } from '../../http/api-paths';
import type { ApiVersion } from '../../http/api-version';
import { Ctx, ReqVersion } from '../../http/route-meta';
import { findServer } from '../servers/server-lookup';

const RULE = 'os_compute_api:os-attach-interfaces';

/** vm_states an interface may be attached or detached in (task_state none). */
const INTERFACE_STATES: readonly string[] = [VmState.ACTIVE, VmState.PAUSED, VmState.STOPPED];

/** Nova's NotFound for a port the server does not have. */
class PortNotAttached extends NotFound {}

/**
 * /servers/{id}/os-interface: the server's Neutron ports (list, show), one
 * more attached by port, network (and address) or the project's network
 * (tag from 2.49, shown from 2.70), one detached (ours deleted, the user's
 * released). The info cache follows, so addresses show them. Without
 * Neutron there are no ports: list is empty, attach is Nova's 400.
 */
@Controller(apiPaths('servers/:server_id/os-interface'))
export class InterfacesController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    @Inject(NEUTRON_PORTS) private readonly neutron: { value: NeutronPortsPort | null },
    private readonly policy: PolicyEnforcer,
  ) {}

  @Get()
  async index(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('server_id') id: string,
  ) {
    const server = await this.server(ctx, id, 'list');
    const neutron = this.neutron.value;
    if (!neutron) {
      return { interfaceAttachments: [] };
    }
    const [ports, recorded] = await Promise.all([
      neutron.ports.serverPorts(ctx, server.uuid),
      this.servers.networkInfo(ctx, server),
    ]);
    return { interfaceAttachments: ports.map((p) => attachmentView(p, recorded, v)) };
  }

  @Get(':port_id')
  async show(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('server_id') id: string,
    @Param('port_id') portId: string,
  ) {
    const server = await this.server(ctx, id, 'show');
    const port = this.neutron.value ? await this.neutron.value.ports.port(ctx, portId) : null;
    if (!port) {
      throw new NotFound(`Port id ${portId} could not be found.`);
    }
    if (port.device_id !== server.uuid) {
      throw new PortNotAttached(`Instance ${server.uuid} does not have a port with id ${portId}`);
    }
    const recorded = await this.servers.networkInfo(ctx, server);
    return { interfaceAttachment: attachmentView(port, recorded, v) };
  }

  @Post()
  @HttpCode(200)
  async create(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('server_id') id: string,
    @Body() body: unknown,
  ) {
    const asked = parseInterfaceAttachment(body, v);
    const server = await this.server(ctx, id, 'create');
    checkInterfaceChange(ctx, server, 'attach_interface');
    const neutron = this.neutron.value;
    if (!neutron) {
      throw new Invalid(`Attaching interfaces is not supported for instance ${server.uuid}.`);
    }
    const nic = await this.planAttach(ctx, server, asked);
    const recorded = await this.servers.networkInfo(ctx, server);
    const { port, vifs } = await neutron.ports.attach(
      ctx,
      {
        uuid: server.uuid,
        projectId: server.project_id,
        zone: server.availability_zone,
        host: server.host,
      },
      nic,
      server.security_groups,
    );
    await this.servers.setNetworkInfo(ctx, server, [...recorded, ...vifs]);
    return { interfaceAttachment: attachmentView(port, vifs, v) };
  }

  @Delete(':port_id')
  @HttpCode(202)
  async remove(
    @Ctx() ctx: RequestContext,
    @Param('server_id') id: string,
    @Param('port_id') portId: string,
  ): Promise<void> {
    const server = await this.server(ctx, id, 'delete');
    checkInterfaceChange(ctx, server, 'detach_interface');
    const recorded = await this.servers.networkInfo(ctx, server);
    const mine = recorded.filter((vif) => (vif.port_id ?? vif.id) === portId);
    const neutron = this.neutron.value;
    if (mine.length === 0 || !neutron) {
      throw new PortNotAttached(`Port ${portId} is not attached`);
    }
    await neutron.ports.release(ctx, [
      { id: portId, preserve: mine.some((vif) => vif.preserve_on_delete) },
    ]);
    await this.servers.setNetworkInfo(
      ctx,
      server,
      recorded.filter((vif) => (vif.port_id ?? vif.id) !== portId),
    );
  }

  /** Nova's checks of the port or network asked for, with the interface API's codes. */
  private async planAttach(
    ctx: RequestContext,
    server: ServerRecord,
    asked: InterfaceRequest,
  ): Promise<PortRequest> {
    const planner = this.neutron.value!.planner;
    const nic: PortRequest = {
      ...(asked.portId ? { port: asked.portId } : {}),
      ...(asked.netId ? { uuid: asked.netId } : {}),
      ...(asked.fixedIp ? { fixed_ip: asked.fixedIp } : {}),
      ...(asked.tag ? { tag: asked.tag } : {}),
    };
    try {
      if (!asked.portId && !asked.netId) {
        const plan = await planner.plan(ctx, server.project_id, 'default', 1);
        if (plan.nics === 'none') {
          throw new Invalid(
            `No specific network was requested and none are available for project '${server.project_id}'.`,
          );
        }
        return { ...plan.nics[0], ...(asked.tag ? { tag: asked.tag } : {}) };
      }
      await planner.plan(ctx, server.project_id, [nic], 1);
      return nic;
    } catch (err) {
      if (err instanceof PortNotFoundForCreate || err instanceof NetworkNotFoundForCreate) {
        throw new NotFound(err.message);
      }
      if (err instanceof FixedIpAlreadyInUse || err instanceof PortInUse) {
        throw new Conflict(err.message);
      }
      if (err instanceof NetworkAmbiguous) {
        throw new Invalid(err.message);
      }
      throw err;
    }
  }

  private async server(ctx: RequestContext, id: string, action: string): Promise<ServerRecord> {
    const server = await findServer(this.servers, ctx, id);
    this.policy.authorize(ctx, `${RULE}:${action}`, { project_id: server.project_id });
    return server;
  }
}

/** check_instance_lock and check_instance_state(ACTIVE, PAUSED, STOPPED; no task). */
function checkInterfaceChange(ctx: RequestContext, server: ServerRecord, action: string): void {
  if (server.locked && !ctx.isAdmin) {
    throw new InstanceIsLocked(`Instance ${server.uuid} is locked`);
  }
  if (!INTERFACE_STATES.includes(server.vm_state)) {
    throw new InstanceInvalidState(
      `Cannot '${action}' instance ${server.uuid} while it is in vm_state ${server.vm_state}`,
    );
  }
  if (server.task_state !== null) {
    throw new InstanceInvalidState(
      `Cannot '${action}' instance ${server.uuid} while it is in task_state ${server.task_state}`,
    );
  }
}

/** Nova's _translate_interface_attachment_view (the tag from 2.70). */
function attachmentView(port: NeutronPort, recorded: readonly WireVif[], v: ApiVersion) {
  const tag = recorded.find((vif) => vif.port_id === port.id)?.tag ?? null;
  return {
    net_id: port.network_id,
    port_id: port.id,
    mac_addr: port.mac_address,
    port_state: port.status ?? 'DOWN',
    fixed_ips: port.fixed_ips ?? [],
    ...(v.atLeast('2.70') ? { tag } : {}),
  };
}
