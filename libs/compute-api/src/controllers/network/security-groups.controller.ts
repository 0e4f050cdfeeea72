import {
  All,
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
import {
  asText,
  checkGroupProperty,
  fromBody,
  NETWORK_API,
  type NetworkApi,
  type SecurityGroupView,
} from '@nova/network';
import { ActionGone } from '../../dto/servers';
import { apiPaths } from '../../http/api-paths';
import { queryOf } from '../../http/query';
import { Authorize, Ctx, Versions } from '../../http/route-meta';
import { limited } from './list-limits';

const RULE = (action: string) => `os_compute_api:os-security-groups:${action}`;

/**
 * /os-security-groups: Nova's proxy to Neutron's security groups (ingress
 * rules only, nova-network's rule shape), up to 2.35 (404 from 2.36). Without
 * Neutron, each project has the flat network's `default` group and nothing more.
 * Bodies are checked as Nova's schema-less handlers do (its messages).
 */
@Controller(apiPaths('os-security-groups'))
@Versions('2.1', '2.35')
export class SecurityGroupsController {
  constructor(
    @Inject(NETWORK_API) private readonly network: NetworkApi,
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
  ) {}

  @Get()
  @Authorize(RULE('get'))
  async index(@Ctx() ctx: RequestContext, @Req() req: FastifyRequest) {
    const query = queryOf(req);
    const groups = await this.network.listSecurityGroups(ctx, query['all_tenants'] !== undefined);
    return { security_groups: limited(sortGroups(groups), query, this.config.api.max_limit) };
  }

  @Get(':id')
  @Authorize(RULE('show'))
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return { security_group: await this.network.getSecurityGroup(ctx, id) };
  }

  @Post()
  @Authorize(RULE('create'))
  @HttpCode(200)
  async create(@Ctx() ctx: RequestContext, @Body() body: unknown) {
    const fields = fromBody(body, 'security_group');
    const name = checkGroupProperty(fields['name'], 'name');
    const description = checkGroupProperty(fields['description'], 'description');
    return { security_group: await this.network.createSecurityGroup(ctx, name, description) };
  }

  @Put(':id')
  @Authorize(RULE('update'))
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown) {
    return { security_group: await this.network.updateSecurityGroup(ctx, id, body) };
  }

  @Delete(':id')
  @Authorize(RULE('delete'))
  @HttpCode(202)
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.network.deleteSecurityGroup(ctx, id);
  }
}

/** /os-security-group-rules: create (200) and delete (202), up to 2.35. */
@Controller(apiPaths('os-security-group-rules'))
@Versions('2.1', '2.35')
export class SecurityGroupRulesController {
  constructor(@Inject(NETWORK_API) private readonly network: NetworkApi) {}

  @Post()
  @Authorize(RULE('rule:create'))
  @HttpCode(200)
  async create(@Ctx() ctx: RequestContext, @Body() body: unknown) {
    const rule = fromBody(body, 'security_group_rule');
    const groupId = rule['group_id'];
    return {
      security_group_rule: await this.network.createSecurityGroupRule(
        ctx,
        rule['parent_group_id'],
        {
          ip_protocol: rule['ip_protocol'],
          from_port: rule['from_port'],
          to_port: rule['to_port'],
          cidr: rule['cidr'],
          group_id: groupId === undefined || groupId === null ? null : asText(groupId),
        },
      ),
    };
  }

  @Delete(':id')
  @Authorize(RULE('rule:delete'))
  @HttpCode(202)
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.network.deleteSecurityGroupRule(ctx, id);
  }
}

/** /os-security-group-default-rules: nova-network's, removed (410 at every microversion). */
@Controller(apiPaths('os-security-group-default-rules'))
export class SecurityGroupDefaultRulesController {
  @All()
  gone(): never {
    throw new ActionGone('This resource is no longer available. No forwarding address is given.');
  }

  @All(':id')
  goneItem(): never {
    return this.gone();
  }
}

/**
 * Sorted by project, then name, as Nova shows it. Nova sorts only the page it cut
 * from Neutron's unordered list; we sort first so `offset` pages are stable.
 */
function sortGroups(groups: SecurityGroupView[]): SecurityGroupView[] {
  return [...groups].sort((a, b) => cmp(a.tenant_id, b.tenant_id) || cmp(a.name, b.name));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
