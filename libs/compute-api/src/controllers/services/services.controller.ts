import { Controller, Delete, Get, HttpCode, Param, Put, Req, Inject } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Invalid, NotFound, type RequestContext } from '@nova/common';
import {
  assertUpdatable,
  HOST_INVENTORY,
  type HostInventoryPort,
  ServiceNotFound,
  type ServiceRow,
} from '@nova/host-inventory';
import type { ServiceChanges } from '@nova/host-inventory';
import {
  ServiceActionBody,
  ServiceActionBodyV211,
  ServiceUpdateBodyV253,
} from '../../dto/service.dto';
import { toBool } from '../../dto/validators';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { queryOf, single } from '../../http/query';
import { QueryParams, QuerySchema } from '../../http/query-schema';
import { Authorize, Ctx, ReqVersion } from '../../http/route-meta';
import { VersionedBody } from '../../http/validation';
import { serviceView, unknownServiceView } from '../../views/service.view';
import { serviceRef } from './service-ref';

/** The API services are not RPC services: Nova never reports them (bug 1543625). */
const SERVICE_LIST_QUERY = new QuerySchema([{ name: 'host' }, { name: 'binary' }]);

const API_BINARIES = ['nova-osapi_compute', 'nova-metadata'];

/** /os-services (admin): the services of every cell, enable/disable/force-down, delete. */
@Controller(apiPaths('os-services'))
export class ServicesController {
  constructor(@Inject(HOST_INVENTORY) private readonly inventory: HostInventoryPort) {}

  @Get()
  @Authorize('os_compute_api:os-services:list')
  @QueryParams(SERVICE_LIST_QUERY)
  async index(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    const query = queryOf(req);
    SERVICE_LIST_QUERY.check(query, v);
    // An empty filter filters nothing, as in Nova.
    const host = single(query, 'host') || undefined;
    const binary = single(query, 'binary') || undefined;
    const { rows, failedCells } = await this.inventory.listServices(ctx, { host, binary });
    const services: object[] = rows
      .filter((r) => !API_BINARIES.includes(r.service.binary ?? ''))
      .map((r) => serviceView(r, v));
    if (v.atLeast('2.69') && (binary === undefined || binary === 'nova-compute')) {
      for (const mapped of await this.inventory.mappedHosts(failedCells)) {
        if (host === undefined || mapped.host === host) {
          services.push(unknownServiceView(mapped));
        }
      }
    }
    return { services };
  }

  /** Before 2.53 `{id}` is an action and the body names the service; from 2.53 it is the uuid. */
  @Put(':id')
  @Authorize('os_compute_api:os-services:update')
  async update(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('id') id: string,
    @VersionedBody({
      '2.1': ServiceActionBody,
      '2.11': ServiceActionBodyV211,
      '2.53': ServiceUpdateBodyV253,
    })
    body: ServiceActionBodyV211 | ServiceUpdateBodyV253,
  ) {
    return v.atLeast('2.53')
      ? this.updateByUuid(ctx, v, id, body)
      : this.performAction(ctx, v, id, body as ServiceActionBodyV211);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authorize('os_compute_api:os-services:delete')
  async remove(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('id') id: string,
  ): Promise<void> {
    let row: ServiceRow;
    try {
      row = await this.inventory.findService(ctx, serviceRef(id, v));
    } catch (err) {
      throw err instanceof ServiceNotFound ? new NotFound(`Service ${id} not found.`) : err;
    }
    await this.inventory.deleteService(ctx, row);
  }

  private async performAction(
    ctx: RequestContext,
    v: ApiVersion,
    action: string,
    body: ServiceActionBodyV211,
  ) {
    const base = { host: body.host, binary: body.binary };
    switch (action) {
      case 'enable':
        await this.apply(ctx, body, { disabled: false, disabled_reason: null });
        return { service: { ...base, status: 'enabled' } };
      case 'disable':
        await this.apply(ctx, body, { disabled: true });
        return { service: { ...base, status: 'disabled' } };
      case 'disable-log-reason': {
        if (body.disabled_reason === undefined) {
          throw new Invalid('Missing disabled reason field');
        }
        const reason = body.disabled_reason;
        await this.apply(ctx, body, { disabled: true, disabled_reason: reason });
        return { service: { ...base, status: 'disabled', disabled_reason: reason } };
      }
      case 'force-down':
        if (v.atLeast('2.11')) {
          if (body.forced_down === undefined) {
            throw new Invalid('Missing forced_down field');
          }
          const forcedDown = toBool(body.forced_down);
          await this.apply(ctx, body, { forced_down: forcedDown });
          return { service: { ...base, forced_down: forcedDown } };
        }
        break;
    }
    throw new NotFound('Unknown action');
  }

  private async apply(
    ctx: RequestContext,
    body: ServiceActionBody,
    changes: ServiceChanges,
  ): Promise<void> {
    assertUpdatable(body.binary);
    const row = await this.inventory.findServiceByHostAndBinary(ctx, body.host, body.binary);
    await this.inventory.updateService(ctx, row, changes);
  }

  private async updateByUuid(
    ctx: RequestContext,
    v: ApiVersion,
    id: string,
    body: ServiceUpdateBodyV253,
  ) {
    const row = await this.inventory.findService(ctx, serviceRef(id, v));
    assertUpdatable(row.service.binary);
    const changes: ServiceChanges = {};
    if (body.status === 'enabled') {
      if (body.disabled_reason) {
        throw new Invalid("Specifying 'disabled_reason' with status 'enabled' is invalid.");
      }
      Object.assign(changes, { disabled: false, disabled_reason: null });
    } else if (body.status === 'disabled') {
      Object.assign(changes, { disabled: true, disabled_reason: body.disabled_reason ?? null });
    }
    if (body.forced_down !== undefined) {
      changes.forced_down = toBool(body.forced_down);
    }
    if (Object.keys(changes).length === 0) {
      throw new Invalid(
        "No updates were requested. Fields 'status' or 'forced_down' should be specified.",
      );
    }
    return { service: serviceView(await this.inventory.updateService(ctx, row, changes), v) };
  }
}
