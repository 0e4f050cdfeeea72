import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { AggregateService } from '@nova/aggregates';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { Authorize, ReqVersion, Versions } from '../../http/route-meta';
import { aggregateView, createdAggregateView } from '../../views/aggregate.view';
import {
  aggregateId,
  cachedImageIds,
  createAggregateBody,
  updateAggregateBody,
} from './aggregate-body';

/**
 * /os-aggregates (admin): list, create, show, update, delete, and image
 * pre-caching (2.81). Create answers 200 and delete 200 with no body, as Nova does.
 */
@Controller(apiPaths('os-aggregates'))
export class AggregatesController {
  constructor(private readonly aggregates: AggregateService) {}

  @Get()
  @Authorize('os_compute_api:os-aggregates:index')
  async index(@ReqVersion() v: ApiVersion) {
    return { aggregates: (await this.aggregates.list()).map((a) => aggregateView(a, v)) };
  }

  @Post()
  @HttpCode(200)
  @Authorize('os_compute_api:os-aggregates:create')
  async create(@ReqVersion() v: ApiVersion, @Body() body: unknown) {
    const { name, availabilityZone } = createAggregateBody(body);
    return {
      aggregate: createdAggregateView(await this.aggregates.create(name, availabilityZone), v),
    };
  }

  @Get(':id')
  @Authorize('os_compute_api:os-aggregates:show')
  async show(@ReqVersion() v: ApiVersion, @Param('id') id: string) {
    return { aggregate: aggregateView(await this.aggregates.get(aggregateId(id)), v) };
  }

  @Put(':id')
  @Authorize('os_compute_api:os-aggregates:update')
  async update(@ReqVersion() v: ApiVersion, @Param('id') id: string, @Body() body: unknown) {
    const changes = updateAggregateBody(body);
    return { aggregate: aggregateView(await this.aggregates.update(aggregateId(id), changes), v) };
  }

  @Delete(':id')
  @HttpCode(200)
  @Authorize('os_compute_api:os-aggregates:delete')
  async remove(@Param('id') id: string, @Body() _body: unknown): Promise<void> {
    await this.aggregates.delete(aggregateId(id));
  }

  /** Accepted and validated; there are no computes to pre-cache images on yet. */
  @Post(':id/images')
  @HttpCode(202)
  @Versions('2.81')
  @Authorize('compute:aggregates:images')
  async images(@Param('id') id: string, @Body() body: unknown): Promise<void> {
    const imageIds = cachedImageIds(body);
    await this.aggregates.requestImageCache(aggregateId(id), imageIds);
  }
}
