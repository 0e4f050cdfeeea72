import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { FlavorService, type FlavorWithSpecs } from '@nova/flavors';
import { PolicyEnforcer } from '@nova/policy';
import {
  CreateFlavorBody,
  CreateFlavorBodyV255,
  UpdateFlavorBody,
  type FlavorCreateV255,
} from '../../dto/flavor.dto';
import { toBool } from '../../dto/validators';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { nextLink, resourceLinks } from '../../http/links';
import { queryOf } from '../../http/query';
import { QueryParams } from '../../http/query-schema';
import { Authorize, Ctx, ReqVersion, Versions } from '../../http/route-meta';
import { ValidBody, VersionedBody } from '../../http/validation';
import { flavorDetail, flavorSummary } from '../../views/flavor.view';
import { FLAVOR_LIST_QUERY, flavorListQuery } from './flavor-list-query';

/** /flavors: list, detail, show for everyone; create, update (2.55), delete for admins. */
@Controller(apiPaths('flavors'))
export class FlavorsController {
  constructor(
    private readonly flavors: FlavorService,
    private readonly policy: PolicyEnforcer,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  @Get()
  @QueryParams(FLAVOR_LIST_QUERY)
  index(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    return this.list(ctx, v, req, false);
  }

  @Get('detail')
  @QueryParams(FLAVOR_LIST_QUERY)
  detail(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    return this.list(ctx, v, req, true);
  }

  @Get(':flavor_id')
  async show(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('flavor_id') id: string,
  ) {
    return { flavor: this.render(await this.flavors.get(ctx, id), ctx, v, req, true) };
  }

  @Post()
  @HttpCode(200)
  @Authorize('os_compute_api:os-flavor-manage:create')
  async create(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @VersionedBody({ '2.1': CreateFlavorBody, '2.55': CreateFlavorBodyV255 })
    body: CreateFlavorBodyV255,
  ) {
    const f: FlavorCreateV255 = body.flavor;
    const created = await this.flavors.create({
      name: f.name,
      flavorid: f.id === undefined || f.id === null ? null : String(f.id),
      memoryMb: Number(f.ram),
      vcpus: Number(f.vcpus),
      rootGb: Number(f.disk),
      ephemeralGb: Number(f['OS-FLV-EXT-DATA:ephemeral'] ?? 0),
      swap: Number(f.swap ?? 0),
      rxtxFactor: Number(f.rxtx_factor ?? 1),
      isPublic:
        f['os-flavor-access:is_public'] === undefined
          ? true
          : toBool(f['os-flavor-access:is_public']),
      description: f.description ?? null,
    });
    return { flavor: this.render(created, ctx, v, req, true) };
  }

  @Put(':flavor_id')
  @Versions('2.55')
  @Authorize('os_compute_api:os-flavor-manage:update')
  async update(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('flavor_id') id: string,
    @ValidBody(UpdateFlavorBody) body: UpdateFlavorBody,
  ) {
    return {
      flavor: this.render(
        await this.flavors.updateDescription(ctx, id, body.flavor.description),
        ctx,
        v,
        req,
        true,
      ),
    };
  }

  @Delete(':flavor_id')
  @HttpCode(202)
  @Authorize('os_compute_api:os-flavor-manage:delete')
  async remove(
    @Ctx() ctx: RequestContext,
    @Param('flavor_id') id: string,
    @Body() _body: unknown,
  ): Promise<void> {
    await this.flavors.delete(ctx, id);
  }

  private async list(ctx: RequestContext, v: ApiVersion, req: FastifyRequest, detailed: boolean) {
    const query = flavorListQuery(queryOf(req), v, this.config.api.max_limit);
    const flavors = await this.flavors.list(ctx, query);
    const body: Record<string, unknown> = {
      flavors: flavors.map((f) => this.render(f, ctx, v, req, detailed)),
    };
    const last = flavors[flavors.length - 1];
    if (last && flavors.length === query.limit) {
      body['flavors_links'] = [nextLink(req, this.config.api.compute_link_prefix, last.flavorid)];
    }
    return body;
  }

  private render(
    f: FlavorWithSpecs,
    ctx: RequestContext,
    v: ApiVersion,
    req: FastifyRequest,
    detailed: boolean,
  ) {
    const context = {
      links: resourceLinks(req, this.config.api.compute_link_prefix, 'flavors', f.flavorid),
      showExtraSpecs:
        v.atLeast('2.61') && this.policy.allows(ctx, 'os_compute_api:os-flavor-extra-specs:index'),
    };
    return detailed ? flavorDetail(f, v, context) : flavorSummary(f, v, context);
  }
}
