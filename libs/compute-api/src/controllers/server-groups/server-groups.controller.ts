import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Invalid, type RequestContext } from '@nova/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { PolicyEnforcer } from '@nova/policy';
import {
  ServerGroupService,
  type NewServerGroup,
  type ServerGroup,
  type ServerGroupPolicy,
} from '@nova/server-groups';
import {
  CreateServerGroupBody,
  CreateServerGroupBodyV215,
  CreateServerGroupBodyV264,
  ServerGroupCreateV264,
} from '../../dto/server-group.dto';
import { NAME_PATTERN } from '../../dto/validators';
import type { ApiVersion } from '../../http/api-version';
import { apiPaths } from '../../http/api-paths';
import { queryOf } from '../../http/query';
import { QueryParams } from '../../http/query-schema';
import { Authorize, Ctx, ReqVersion } from '../../http/route-meta';
import { VersionedBody } from '../../http/validation';
import { serverGroupView } from '../../views/server-group.view';
import { SERVER_GROUP_LIST_QUERY, serverGroupListQuery } from './server-group-list-query';

const RULE = 'os_compute_api:os-server-groups';

type CreateBody = CreateServerGroupBody | CreateServerGroupBodyV215 | CreateServerGroupBodyV264;

/**
 * /os-server-groups: list (own project; every project with all_projects for
 * admins), create and delete for project members, show for readers. Show and
 * delete check their policy against the group's project, after the lookup
 * (so another project's group is 404 for non-admins).
 */
@Controller(apiPaths('os-server-groups'))
export class ServerGroupsController {
  constructor(
    private readonly groups: ServerGroupService,
    private readonly policy: PolicyEnforcer,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  @Get()
  @QueryParams(SERVER_GROUP_LIST_QUERY)
  @Authorize(`${RULE}:index`)
  async index(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Req() req: FastifyRequest) {
    const query = serverGroupListQuery(queryOf(req), v, this.config.api.max_limit);
    // Without the all_projects policy the parameter is ignored, not refused (Nova).
    const allProjects = query.allProjects && this.policy.allows(ctx, `${RULE}:index:all_projects`);
    const groups = await this.groups.list(ctx, { ...query, allProjects });
    return { server_groups: groups.map((g) => serverGroupView(g, v)) };
  }

  @Post()
  @HttpCode(200)
  @Authorize(`${RULE}:create`)
  async create(
    @Ctx() ctx: RequestContext,
    @ReqVersion() v: ApiVersion,
    @VersionedBody({
      '2.1': CreateServerGroupBody,
      '2.15': CreateServerGroupBodyV215,
      '2.64': CreateServerGroupBodyV264,
    })
    body: CreateBody,
  ) {
    const created = await this.groups.create(ctx, newGroupFrom(body));
    return { server_group: serverGroupView(created, v) };
  }

  @Get(':id')
  async show(@Ctx() ctx: RequestContext, @ReqVersion() v: ApiVersion, @Param('id') id: string) {
    const group = await this.groups.get(ctx, id);
    this.authorizeOn(ctx, 'show', group);
    return { server_group: serverGroupView(group, v) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() _body: unknown,
  ): Promise<void> {
    const group = await this.groups.getByUuid(ctx, id);
    this.authorizeOn(ctx, 'delete', group);
    await this.groups.delete(group);
  }

  private authorizeOn(ctx: RequestContext, action: 'show' | 'delete', group: ServerGroup): void {
    this.policy.authorize(ctx, `${RULE}:${action}`, { project_id: group.projectId });
  }
}

/** The validated body of any microversion as a new group (2.64's policy or the one-item list before). */
function newGroupFrom(body: CreateBody): NewServerGroup {
  const g = body.server_group;
  if (!NAME_PATTERN.test(g.name)) {
    throw new Invalid(
      "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
    );
  }
  if (g instanceof ServerGroupCreateV264) {
    const max = g.rules?.max_server_per_host;
    return {
      name: g.name,
      policy: g.policy as ServerGroupPolicy,
      rules: max === undefined ? {} : { max_server_per_host: Number(max) },
    };
  }
  return { name: g.name, policy: g.policies[0] as ServerGroupPolicy, rules: {} };
}
