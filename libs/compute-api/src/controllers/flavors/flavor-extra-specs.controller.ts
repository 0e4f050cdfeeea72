import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import type { RequestContext } from '@nova/common';
import { FlavorService } from '@nova/flavors';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { Authorize, Ctx, ReqVersion } from '../../http/route-meta';
import { extraSpecItemBody, extraSpecsBody } from './extra-specs-body';

/** /flavors/{id}/os-extra_specs: readers list and show; admins set and delete (validated from 2.86). */
@Controller(apiPaths('flavors/:flavor_id/os-extra_specs'))
export class FlavorExtraSpecsController {
  constructor(private readonly flavors: FlavorService) {}

  @Get()
  @Authorize('os_compute_api:os-flavor-extra-specs:index')
  async index(@Ctx() ctx: RequestContext, @Param('flavor_id') id: string) {
    return { extra_specs: await this.flavors.extraSpecs(ctx, id) };
  }

  @Post()
  @HttpCode(200)
  @Authorize('os_compute_api:os-flavor-extra-specs:create')
  async create(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('flavor_id') id: string,
    @Body() body: unknown,
  ) {
    return {
      extra_specs: await this.flavors.setExtraSpecs(
        ctx,
        id,
        extraSpecsBody(body),
        v.atLeast('2.86'),
      ),
    };
  }

  @Get(':key')
  @Authorize('os_compute_api:os-flavor-extra-specs:show')
  async show(
    @Ctx() ctx: RequestContext,
    @Param('flavor_id') id: string,
    @Param('key') key: string,
  ) {
    return { [key]: await this.flavors.extraSpec(ctx, id, key) };
  }

  @Put(':key')
  @Authorize('os_compute_api:os-flavor-extra-specs:update')
  async update(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Param('flavor_id') id: string,
    @Param('key') key: string,
    @Body() body: unknown,
  ) {
    return this.flavors.setExtraSpecs(ctx, id, extraSpecItemBody(body, key), v.atLeast('2.86'));
  }

  @Delete(':key')
  @Authorize('os_compute_api:os-flavor-extra-specs:delete')
  async remove(
    @Ctx() ctx: RequestContext,
    @Param('flavor_id') id: string,
    @Param('key') key: string,
  ): Promise<void> {
    await this.flavors.deleteExtraSpec(ctx, id, key);
  }
}
