import { Controller, Get, Inject, Param, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Invalid, NotFound, NovaError, type RequestContext } from '@nova/common';
import {
  ComputeServiceUnavailable,
  HOST_INVENTORY,
  HostBinaryNotFound,
  type HostInventoryPort,
  type HostResourceLine,
  type ServiceRow,
} from '@nova/host-inventory';
import { PolicyEnforcer } from '@nova/policy';
import { HostUpdateBody } from '../../dto/host.dto';
import { apiPaths } from '../../http/api-paths';
import { queryOf, single } from '../../http/query';
import { pyRepr } from '../../http/py-repr';
import { Authorize, Ctx, Versions } from '../../http/route-meta';
import { ValidBody } from '../../http/validation';

/** Nova's 501 for host power or maintenance on a driver that has neither (libvirt, ours). */
class HostOperationNotImplemented extends NovaError {
  readonly code = 501;
}

const POWER_ACTIONS = { startup: 'start', shutdown: 'shutdown', reboot: 'reboot' } as const;

/**
 * os-hosts (admin, deprecated, 2.1-2.42): Nova's older view of compute hosts
 * over the services of every cell. Enabling and disabling is the host's
 * nova-compute service; power actions and maintenance mode need a driver that
 * manages its host, which ours do not (Nova's libvirt driver neither): 501.
 */
@Controller(apiPaths('os-hosts'))
@Versions('2.1', '2.42')
export class HostsController {
  constructor(
    @Inject(HOST_INVENTORY) private readonly inventory: HostInventoryPort,
    private readonly policy: PolicyEnforcer,
  ) {}

  /** Hosts of enabled services; `zone` (when not empty) keeps one availability zone. */
  @Get()
  @Authorize('os_compute_api:os-hosts:list')
  async index(@Ctx() ctx: RequestContext, @Req() req: FastifyRequest) {
    const zone = single(queryOf(req), 'zone');
    const { rows } = await this.inventory.listServices(ctx);
    return {
      hosts: rows
        .filter((r) => !r.service.disabled && (!zone || r.zone === zone))
        .map((r) => ({
          host_name: r.service.host ?? '',
          service: r.service.topic ?? '',
          zone: r.zone,
        })),
    };
  }

  @Get(':host')
  @Authorize('os_compute_api:os-hosts:show')
  async show(@Ctx() ctx: RequestContext, @Param('host') host: string) {
    const r = await this.inventory.hostResources(ctx, host);
    const resource = (line: HostResourceLine) => ({ resource: { host, ...line } });
    return {
      host: [r.total, r.usedNow, r.usedMax, ...r.byProject].map(resource),
    };
  }

  @Put(':host')
  @Authorize('os_compute_api:os-hosts:update')
  async update(
    @Ctx() ctx: RequestContext,
    @Param('host') host: string,
    @ValidBody(HostUpdateBody) body: HostUpdateBody,
  ) {
    if (body.status === undefined && body.maintenance_mode === undefined) {
      throw new Invalid(`${pyRepr({ ...body })} is not valid under any of the given schemas`);
    }
    const service = await this.computeService(ctx, host);
    const result: Record<string, string> = { host };
    if (body.maintenance_mode !== undefined) {
      this.requireUp(service);
      throw new HostOperationNotImplemented(
        'Virt driver does not implement host maintenance mode.',
      );
    }
    if (body.status !== undefined) {
      const enable = body.status.toLowerCase() === 'enable';
      await this.inventory.updateService(ctx, service, {
        disabled: !enable,
        ...(enable ? { disabled_reason: null } : {}),
      });
      result['status'] = enable ? 'enabled' : 'disabled';
    }
    return result;
  }

  @Get(':host/:action')
  async powerAction(
    @Ctx() ctx: RequestContext,
    @Param('host') host: string,
    @Param('action') action: string,
  ): Promise<never> {
    if (!Object.hasOwn(POWER_ACTIONS, action)) {
      throw new NotFound('The resource could not be found.');
    }
    const rule = POWER_ACTIONS[action as keyof typeof POWER_ACTIONS];
    this.policy.authorize(ctx, `os_compute_api:os-hosts:${rule}`, {});
    this.requireUp(await this.computeService(ctx, host));
    throw new HostOperationNotImplemented('Virt driver does not implement host power management.');
  }

  /** The host's nova-compute service: Nova's 404 when the host has none. */
  private async computeService(ctx: RequestContext, host: string): Promise<ServiceRow> {
    try {
      return await this.inventory.findServiceByHostAndBinary(ctx, host, 'nova-compute');
    } catch (err) {
      throw err instanceof HostBinaryNotFound
        ? new NotFound(`Host ${host} could not be found.`)
        : err;
    }
  }

  private requireUp(service: ServiceRow): void {
    if (!service.up) {
      throw new ComputeServiceUnavailable(service.service.host);
    }
  }
}
