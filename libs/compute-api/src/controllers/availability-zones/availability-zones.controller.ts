import { Controller, Get, Inject } from '@nestjs/common';
import { AvailabilityZones } from '@nova/availability-zones';
import type { RequestContext } from '@nova/common';
import { HOST_INVENTORY, type HostInventoryPort } from '@nova/host-inventory';
import { apiPaths } from '../../http/api-paths';
import { Authorize, Ctx } from '../../http/route-meta';
import { zoneDetails, zoneSummaries } from './zone-listing';

/**
 * /os-availability-zone: the zones the services of every answering cell are in.
 * Everybody may list zone names; the detail with hosts is for admins.
 */
@Controller(apiPaths('os-availability-zone'))
export class AvailabilityZonesController {
  constructor(
    @Inject(HOST_INVENTORY) private readonly inventory: HostInventoryPort,
    private readonly zones: AvailabilityZones,
  ) {}

  @Get()
  @Authorize('os_compute_api:os-availability-zone:list')
  async index(@Ctx() ctx: RequestContext) {
    const { rows } = await this.inventory.listServices(ctx);
    return { availabilityZoneInfo: zoneSummaries(rows, this.zones.internalZone) };
  }

  @Get('detail')
  @Authorize('os_compute_api:os-availability-zone:detail')
  async detail(@Ctx() ctx: RequestContext) {
    const { rows } = await this.inventory.listServices(ctx);
    return { availabilityZoneInfo: zoneDetails(rows) };
  }
}
