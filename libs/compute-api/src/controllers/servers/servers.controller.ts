import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { PolicyEnforcer } from '@nova/policy';
import { SERVERS, type ListedRecords, type ServerChanges, type ServersPort } from '@nova/servers';
import {
  CREATE_SERVER_BODIES,
  createServerRequest,
  UPDATE_SERVER_BODIES,
  updateServerRequest,
  type CreateServerBodyFields,
  type ServerUpdateRequest,
  type UpdateServerBodyFields,
} from '../../dto/servers';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { nextLink } from '../../http/links';
import { queryOf } from '../../http/query';
import { QueryParams } from '../../http/query-schema';
import { SERVER_LIST_QUERY } from './list-query-params';
import { Authorize, Ctx, ReqVersion } from '../../http/route-meta';
import { VersionedBody } from '../../http/validation';
import { reservationView, serverCreatedView, serverLinksFor } from '../../views/servers';
import { parseServerListQuery } from './list-query';
import { ServerCreator } from './server-creator';
import { findServer } from './server-lookup';
import { ServerPresenter } from './server-presenter';

const RULE = 'os_compute_api:servers';

/**
 * /servers: list (own project; every project with all_tenants for those the
 * get_all_tenants policy allows, 403 for the others, as Nova), create, show,
 * update, delete. Another project's server is 404 to non-admins (the lookup
 * is project-scoped, as Nova's); item policies target the server's project.
 */
@Controller(apiPaths('servers'))
export class ServersController {
  constructor(
    @Inject(SERVERS) private readonly servers: ServersPort,
    private readonly creator: ServerCreator,
    private readonly presenter: ServerPresenter,
    private readonly policy: PolicyEnforcer,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  @Get()
  @QueryParams(SERVER_LIST_QUERY)
  @Authorize(`${RULE}:index`)
  index(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    return this.list(ctx, v, req, 'brief');
  }

  @Get('detail')
  @QueryParams(SERVER_LIST_QUERY)
  @Authorize(`${RULE}:detail`)
  detail(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    return this.list(ctx, v, req, 'detail');
  }

  @Post()
  async create(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @VersionedBody(CREATE_SERVER_BODIES) body: CreateServerBodyFields,
  ): Promise<void> {
    const request = createServerRequest(body, v);
    const created = await this.creator.create(ctx, request);
    if (request.returnReservationId) {
      await reply.code(202).send(reservationView(created.reservationId));
      return;
    }
    // Several servers without return_reservation_id: Nova shows the first.
    const uuid = created.uuids[0];
    const links = serverLinksFor(req, this.config.api.compute_link_prefix);
    const view = serverCreatedView(
      {
        uuid,
        diskConfig: created.diskConfig,
        securityGroups: created.securityGroups,
        ...(this.config.api.enable_instance_password ? { adminPass: created.adminPass } : {}),
      },
      links,
    );
    await reply.code(202).header('Location', links.server(uuid)[0].href).send(view);
  }

  @Get(':id')
  async show(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('id') id: string,
  ) {
    const server = await this.servers.get(ctx, id);
    this.policy.authorize(ctx, `${RULE}:show`, { project_id: server.project_id });
    return { server: await this.presenter.one(ctx, v, req, server, 'show') };
  }

  @Put(':id')
  async update(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @Req() req: FastifyRequest,
    @Param('id') id: string,
    @VersionedBody(UPDATE_SERVER_BODIES) body: UpdateServerBodyFields,
  ) {
    const server = await findServer(this.servers, ctx, id);
    this.policy.authorize(ctx, `${RULE}:update`, {
      user_id: server.user_id,
      project_id: server.project_id,
    });
    const changes = serverChanges(updateServerRequest(body));
    const updated =
      Object.keys(changes).length > 0 ? await this.servers.update(ctx, server, changes) : server;
    return { server: await this.presenter.one(ctx, v, req, updated, 'update') };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    const server = await findServer(this.servers, ctx, id);
    this.policy.authorize(ctx, `${RULE}:delete`, {
      user_id: server.user_id,
      project_id: server.project_id,
    });
    await this.servers.delete(ctx, server, { isAdmin: ctx.isAdmin });
  }

  private async list(
    ctx: RequestContext,
    v: ApiVersion,
    req: FastifyRequest,
    shape: 'brief' | 'detail',
  ) {
    const action = shape === 'brief' ? 'index' : 'detail';
    const query = {
      ...parseServerListQuery(queryOf(req), v, {
        isAdmin: ctx.isAdmin,
        allowAllFilters: this.policy.allows(ctx, `${RULE}:allow_all_filters`),
        maxLimit: this.config.api.max_limit,
      }),
      records: shownRecords(shape, v),
    };
    if (query.allTenants) {
      this.policy.authorize(ctx, `${RULE}:${action}:get_all_tenants`);
    }
    if (query.matchesNothing) {
      return { servers: [] };
    }
    const listing = await this.servers.list(ctx, query);
    const body: Record<string, unknown> = {
      servers: await this.presenter.many(ctx, v, req, listing.servers, shape),
    };
    const last = listing.servers[listing.servers.length - 1];
    if (last && listing.servers.length === query.limit) {
      body['servers_links'] = [nextLink(req, this.config.api.compute_link_prefix, last.uuid)];
    }
    return body;
  }
}

/** What the list's view shows of its servers' records: none in brief, tags from 2.26. */
function shownRecords(shape: 'brief' | 'detail', v: ApiVersion): ListedRecords {
  return shape === 'brief' ? 'none' : v.atLeast('2.26') ? 'all' : 'untagged';
}

/** PUT's fields as the port names them. */
function serverChanges(update: ServerUpdateRequest): ServerChanges {
  return {
    ...(update.name !== undefined ? { display_name: update.name } : {}),
    ...(update.description !== undefined ? { display_description: update.description } : {}),
    ...(update.accessIPv4 !== undefined ? { access_ip_v4: update.accessIPv4 } : {}),
    ...(update.accessIPv6 !== undefined ? { access_ip_v6: update.accessIPv6 } : {}),
    ...(update.hostname !== undefined ? { hostname: update.hostname } : {}),
    ...(update.diskConfig !== undefined ? { auto_disk_config: update.diskConfig === 'AUTO' } : {}),
  };
}
